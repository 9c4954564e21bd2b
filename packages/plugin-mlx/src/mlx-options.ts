import { modelNameOptionsSchema } from '@switchyard/spec';
import type { JsonSchema } from '@switchyard/spec';
import type { CloudLlmPrice } from '@switchyard/plugin-cloud-llm';

export interface MlxRestartOptions {
  /** Restarts allowed in a row before the engine reports itself failed (default 5). */
  readonly maxRestarts?: number;
  /** First restart delay, doubled each time (default 500 ms). */
  readonly baseDelayMs?: number;
  /** Restart delay ceiling (default 30000 ms). */
  readonly maxDelayMs?: number;
}

export interface MlxPluginOptions {
  /** Engine id (default `mlx`). */
  readonly id?: string;
  /** Attach to a running mlx-lm server instead of spawning one, e.g. `http://127.0.0.1:8080`. */
  readonly url?: string;
  /** Hugging Face repo the spawned server loads (`--model`), e.g. `mlx-community/Llama-3.2-1B-Instruct-4bit`. */
  readonly model?: string;
  /** Command that starts the server; `--model <repo> --host 127.0.0.1 --port <p>` are appended. Default `python3 -m mlx_lm.server`. */
  readonly command?: readonly string[];
  /** Port for the spawned server (default: a free port). */
  readonly port?: number;
  /** Refuse to run off Apple Silicon (default true; stand-in servers in tests turn it off). */
  readonly requireAppleSilicon?: boolean;
  /** How long a spawned server may take to answer `GET /v1/models` (default 120000 ms; model downloads take a while). */
  readonly readinessTimeoutMs?: number;
  /** Readiness poll interval (default 250 ms). */
  readonly probeIntervalMs?: number;
  readonly restart?: MlxRestartOptions;
  /** Grace period after SIGTERM before SIGKILL (default 5000 ms). */
  readonly stopTimeoutMs?: number;
  /** Per-request timeout (default 120000 ms). */
  readonly timeoutMs?: number;
  readonly prices?: Readonly<Record<string, CloudLlmPrice>>;
}

export const DEFAULT_MLX_COMMAND: readonly string[] = ['python3', '-m', 'mlx_lm.server'];

export const mlxConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    url: { type: 'string', pattern: '^https?://' },
    model: { type: 'string', minLength: 1 },
    command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    requireAppleSilicon: { type: 'boolean' },
    readinessTimeoutMs: { type: 'integer', minimum: 1 },
    probeIntervalMs: { type: 'integer', minimum: 1 },
    restart: {
      type: 'object',
      additionalProperties: false,
      properties: { maxRestarts: { type: 'integer', minimum: 0 }, baseDelayMs: { type: 'integer', minimum: 0 }, maxDelayMs: { type: 'integer', minimum: 0 } },
    },
    stopTimeoutMs: { type: 'integer', minimum: 1 },
    timeoutMs: { type: 'integer', minimum: 1 },
    prices: { type: 'object' },
  },
  oneOf: [{ required: ['url'] }, { required: ['model'] }],
};

/**
 * The per-model options the MLX engine honours (config `models.overrides.<id>.options`), checked by the app at start.
 * Any other key is refused: nothing set there is silently ignored.
 */
export const mlxModelOptionsSchema: JsonSchema = modelNameOptionsSchema(
  'MlxModelOptions',
  "The model name sent to the mlx-lm server in each request, e.g. `mlx-community/Llama-3.2-1B-Instruct-4bit` (default: the plugin's `model`, else the model id).",
);

