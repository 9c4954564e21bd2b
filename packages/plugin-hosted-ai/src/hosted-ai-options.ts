import { modelNameOptionsSchema } from '@switchyard/spec';
import type { JsonSchema } from '@switchyard/spec';

export interface HostedAiRequirements {
  readonly minTflops: number;
  readonly minVramMb: number;
  /** VRAM ceiling; doubled in the request when `overcommit` is true. Defaults to minVramMb. */
  readonly maxVramMb?: number;
  readonly overcommit?: boolean;
  /** e.g. `ampere`, `hopper`, `ada`. */
  readonly gpuFamily?: string;
}

export interface HostedAiPoolOptions {
  /** Engine id, e.g. `hosted-ai:pool-a`. */
  readonly id: string;
  /** Service base URL, e.g. `https://pool.example.com` (paths `/v1/...` are appended). */
  readonly baseURL: string;
  readonly poolId: string;
  /** NAME of the env var holding the bearer token (optional). */
  readonly apiKeyEnv?: string;
  readonly requirements: HostedAiRequirements;
  /** Allocation lease requested from the pool (default 600 s). */
  readonly durationSeconds?: number;
  readonly preemptible?: boolean;
  /** Release the allocation after this long without calls (default 60000 ms). */
  readonly idleReleaseMs?: number;
  /** Per-HTTP-request timeout (default 30000 ms). */
  readonly timeoutMs?: number;
  /** Free-form metadata sent with each allocation. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface HostedAiPluginOptions {
  readonly pools: readonly HostedAiPoolOptions[];
}

const poolSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'baseURL', 'poolId', 'requirements'],
  properties: {
    id: { type: 'string', minLength: 1 },
    baseURL: { type: 'string', pattern: '^https?://' },
    poolId: { type: 'string', minLength: 1 },
    apiKeyEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
    requirements: {
      type: 'object',
      additionalProperties: false,
      required: ['minTflops', 'minVramMb'],
      properties: {
        minTflops: { type: 'number', minimum: 0 },
        minVramMb: { type: 'integer', minimum: 1 },
        maxVramMb: { type: 'integer', minimum: 1 },
        overcommit: { type: 'boolean' },
        gpuFamily: { type: 'string', minLength: 1 },
      },
    },
    durationSeconds: { type: 'integer', minimum: 1 },
    preemptible: { type: 'boolean' },
    idleReleaseMs: { type: 'integer', minimum: 1 },
    timeoutMs: { type: 'integer', minimum: 1 },
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

export const hostedAiConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['pools'],
  properties: { pools: { type: 'array', minItems: 1, items: poolSchema } },
};

/**
 * The per-model options the pool engine honours (config `models.overrides.<id>.options`), checked by the app at start.
 * Any other key is refused: nothing set there is silently ignored.
 */
export const hostedAiModelOptionsSchema: JsonSchema = modelNameOptionsSchema(
  'HostedAiModelOptions',
  'The model name sent to the pool in each inference call (`model`), e.g. `llama-3-8b` (default: the model id).',
);

/** The `requirements` object of the allocation request (wire format). */
export function allocationRequirements(requirements: HostedAiRequirements): Record<string, unknown> {
  const ceiling = requirements.maxVramMb ?? requirements.minVramMb;
  return {
    min_tflops: requirements.minTflops,
    min_vram_mb: requirements.minVramMb,
    max_vram_mb: requirements.overcommit ? ceiling * 2 : ceiling,
    ...(requirements.gpuFamily ? { gpu_family: requirements.gpuFamily } : {}),
  };
}
