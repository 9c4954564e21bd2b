/**
 * Every stable error code Switchyard throws. docs/errors.md has one row per code (a test enforces it).
 * Add new codes here, with a one-line description, in the section of the layer that throws them.
 */
export const ERROR_CODES = {
  // config & plugins
  CONFIG_INVALID: 'The config file failed schema validation (file, JSON pointer, expected, found).',
  CONFIG_PARSE: 'The config file is not valid YAML/JSON (file, line, column).',
  CONFIG_ENV_MISSING: 'A ${env:NAME} reference names an unset environment variable.',
  CONFIG_NOT_FOUND: 'The config file does not exist or cannot be read.',
  PLUGIN_LOAD_FAILED: 'A plugin package could not be imported or does not export a plugin.',
  PLUGIN_OPTIONS_INVALID: "A plugin's options failed its own configSchema.",
  PLUGIN_VERSION_MISMATCH: "A plugin's `core` semver range does not include this core version.",
  PLUGIN_DEPENDENCY_MISSING: 'A plugin depends on a plugin that is not loaded (or dependencies form a cycle).',
  PLUGIN_HOOK_FAILED: "A plugin's register/initialize/shutdown hook threw; the cause is attached.",
  PLUGIN_REGISTRATION_CONFLICT: 'A plugin tried to overwrite a registration owned by another plugin.',
  // models & engines
  NO_SUCH_MODEL: 'The model id is not in the registry or catalog.',
  NO_SUCH_ENGINE: 'No engine with that id is registered.',
  MODEL_LOAD_FAILED: 'The engine could not load the model (corrupt/truncated file, unsupported format).',
  MODEL_NOT_LOADED: 'A run was requested for a model the engine has not loaded.',
  ARTIFACT_NOT_FOUND: "A model file could not be resolved (path, npm package or URL).",
  UNTRUSTED_ARTIFACT: 'A model file failed sha256 verification; it was not loaded.',
  METADATA_INVALID: 'model_metadata.json failed validation (file, JSON pointer, expected, found).',
  BUNDLE_INVALID: 'A .xyb bundle is malformed or hostile (path escape, link, size limit, manifest mismatch); nothing was extracted.',
  INVALID_INPUT: 'The input does not match what the model or step expects (name, dtype, shape, format).',
  STEP_FAILED: 'A pre/post-processing step failed; the message names the step and the model.',
  UNSUPPORTED: 'The engine or step does not support the requested workload, format or feature.',
  OUTPUT_INVALID: 'The model output did not match the requested response_format (JSON schema), also after one retry.',
  EXECUTION_PROVIDER_UNAVAILABLE: 'A configured execution provider (cuda, coreml, dml...) is not present.',
  ENGINE_UNAVAILABLE: 'The engine is not available on this machine or is not ready (reason attached).',
  PROVIDER_ERROR: 'A remote provider returned an error response.',
  RATE_LIMITED: 'A remote provider or pool rate-limited the call (retriable, retry-after attached).',
  OVERLOADED: 'A remote provider or pool is overloaded (retriable).',
  PROVIDER_AUTH: 'A remote provider rejected the credentials (the provider is named; check its apiKeyEnv).',
  CONTEXT_WINDOW_EXCEEDED: 'The input does not fit the model context window.',
  CONNECTION_FAILED: 'A network connection to a remote engine failed or dropped (retriable).',
  ALLOCATION_FAILED: 'The hosted GPU pool could not allocate a GPU for the requirements.',
  // orchestration
  ABORTED: 'The call was cancelled through its AbortSignal.',
  TIMEOUT: 'The call exceeded its timeout.',
  CIRCUIT_OPEN: "The engine's circuit breaker is open; calls are refused until cooldown.",
  BULKHEAD_FULL: "The engine's concurrency limit and queue are full.",
  POLICY_DENIED: 'A policy rule denied the request (rule id attached).',
  POLICY_EXPRESSION_INVALID: 'A policy `when` expression does not parse (rule id, column).',
  ROUTE_UNAVAILABLE: 'No target can serve the request (pinned target down, all fallbacks failed).',
  PIPELINE_INVALID: 'A pipeline file failed validation (file, JSON pointer) or has a cycle.',
  STREAM_OVERFLOW: 'A streaming session buffer is full; the producer must slow down.',
  STREAM_CLOSED: 'A push or read on a closed streaming session.',
  // server
  INVALID_PARAMS: 'The HTTP request body, headers or query failed validation.',
  UNAUTHORIZED: 'Missing or invalid API key.',
  FORBIDDEN: 'The API key is valid but lacks the admin scope this route needs (catalog, pool and artifact writes).',
  ADMISSION_REJECT: 'The admission queue is full (policy reject).',
  QUEUE_FULL_DROP_LRU: 'The task was dropped from a full queue (policy drop-lru).',
  DEADLINE_UNMET: 'The deadline cannot be met at admission.',
  POOL_UNREADY: 'The pool is not ready yet.',
  POOL_UNAVAILABLE: 'The pool is unavailable (retriable).',
  WORKER_RESET: 'The server restarted or the worker running the task died; the task was not idempotent, so it was not run again.',
  NOT_FOUND: 'The HTTP resource does not exist.',
  PAYLOAD_TOO_LARGE: 'The request body exceeds the limit.',
  INTERNAL: 'An unexpected internal error (details are logged, not returned).',
  // codegen & tooling
  CODEGEN_STALE: 'Generated files differ from what codegen would write now (--check).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
