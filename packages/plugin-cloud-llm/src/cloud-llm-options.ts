import { modelNameOptionsSchema, PRICE_JSON_SCHEMA, SwitchyardError } from '@switchyard/spec';
import type { JsonSchema, Price } from '@switchyard/spec';

export type CloudLlmProviderKind = 'openai' | 'anthropic' | 'openai-compatible';

/** USD per one million tokens: the shared {@link Price} of @switchyard/spec. */
export type CloudLlmPrice = Price;

export interface CloudLlmProviderOptions {
  /** Engine id this provider registers as, e.g. `openai`, `anthropic`, `local-vllm`. */
  readonly id: string;
  readonly kind: CloudLlmProviderKind;
  /** API base URL (required for `openai-compatible`, e.g. `http://127.0.0.1:8000/v1`). */
  readonly baseURL?: string;
  /** NAME of the environment variable holding the API key (never the key itself). */
  readonly apiKeyEnv?: string;
  /** Price table keyed by provider model name; `costUsd` is reported when the model has an entry. */
  readonly prices?: Readonly<Record<string, CloudLlmPrice>>;
  /** Per-request timeout in ms (default 60000). */
  readonly timeoutMs?: number;
  /** max_tokens sent when a request gives none (Anthropic requires one; default 1024). */
  readonly defaultMaxTokens?: number;
  /** Ask OpenAI-style servers for usage in the final stream chunk (`stream_options.include_usage`, default true). */
  readonly streamUsage?: boolean;
  readonly contextWindow?: number;
  /** The server's models accept image content parts (always true for kind `openai` and `anthropic`). */
  readonly vision?: boolean;
  /** Extra HTTP headers sent with every request (not secrets: use apiKeyEnv for those). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface CloudLlmPluginOptions {
  readonly providers: readonly CloudLlmProviderOptions[];
}

const providerSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind'],
  properties: {
    id: { type: 'string', minLength: 1 },
    kind: { enum: ['openai', 'anthropic', 'openai-compatible'] },
    baseURL: { type: 'string', minLength: 1 },
    apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    prices: {
      type: 'object',
      additionalProperties: PRICE_JSON_SCHEMA as JsonSchema,
    },
    timeoutMs: { type: 'integer', minimum: 1 },
    defaultMaxTokens: { type: 'integer', minimum: 1 },
    streamUsage: { type: 'boolean' },
    contextWindow: { type: 'integer', minimum: 1 },
    vision: { type: 'boolean' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

export const cloudLlmConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['providers'],
  properties: { providers: { type: 'array', minItems: 1, items: providerSchema } },
};

/**
 * The per-model options a cloud engine honours (config `models.overrides.<id>.options`), checked by the app at start.
 * Any other key is refused: nothing set there is silently ignored.
 */
export const cloudLlmModelOptionsSchema: JsonSchema = modelNameOptionsSchema(
  'CloudLlmModelOptions',
  "The provider's model name requests for this model id are sent as, e.g. `gpt-4o-mini` (default: the model id); `prices` are keyed by it.",
);

/** Checks what the JSON Schema cannot express; throws PLUGIN_OPTIONS_INVALID naming the field. */
export function validateProvider(provider: CloudLlmProviderOptions, index: number): void {
  const where = `/providers/${index}`;
  if (provider.kind === 'openai-compatible' && !provider.baseURL) {
    throw new SwitchyardError({
      code: 'PLUGIN_OPTIONS_INVALID',
      message: `plugin-cloud-llm: ${where}/baseURL is required for kind 'openai-compatible' (provider '${provider.id}')`,
      details: { pointer: `${where}/baseURL`, expected: 'a URL such as http://127.0.0.1:8000/v1', found: 'nothing' },
    });
  }
  if (provider.kind !== 'openai-compatible' && !provider.apiKeyEnv) {
    throw new SwitchyardError({
      code: 'PLUGIN_OPTIONS_INVALID',
      message: `plugin-cloud-llm: ${where}/apiKeyEnv is required for kind '${provider.kind}' (provider '${provider.id}'): name the environment variable that holds the key`,
      details: { pointer: `${where}/apiKeyEnv`, expected: 'an environment variable name such as OPENAI_API_KEY', found: 'nothing' },
    });
  }
}

/** Reads the key from the environment; the returned value must never reach a log or an error message. */
export function readApiKey(provider: CloudLlmProviderOptions, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!provider.apiKeyEnv) return undefined;
  const value = env[provider.apiKeyEnv];
  return value && value.length > 0 ? value : undefined;
}
