import { modelNameOption, SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type {
  EngineCapabilities,
  EngineHealth,
  EngineInput,
  EngineModelSpec,
  EngineRunRequest,
  EngineRunResult,
  EngineStreamPart,
  EngineV1,
  FinishReason,
  JsonSchema,
  PluginLogger,
} from '@switchyard/spec';
import { HostedAiAllocationLease } from './hosted-ai-allocation-lease.js';
import { poolFetch } from './hosted-ai-http.js';
import type { PoolHttpOptions } from './hosted-ai-http.js';
import { hostedAiModelOptionsSchema } from './hosted-ai-options.js';
import type { HostedAiPoolOptions } from './hosted-ai-options.js';

interface InferenceResponse {
  text?: unknown;
  tokens_used?: unknown;
  duration_ms?: unknown;
  model_used?: unknown;
  finish_reason?: unknown;
}

/** The pool's `finish_reason` values (README: assumed API) -> ours. */
const FINISH_REASONS: Readonly<Record<string, FinishReason>> = { stop: 'stop', length: 'length', content_filter: 'content-filter' };

/** Renders a text input as the pool's single prompt string (system, then turns, then the prompt). */
export function promptFromInput(input: EngineInput, engineId: string): string {
  if (input.kind !== 'text') {
    throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${engineId}: the pool takes input kind 'text', found '${input.kind}'`, details: { field: 'input.kind', expected: 'text', found: input.kind } });
  }
  const lines: string[] = [];
  if (input.system) lines.push(`System: ${input.system}`);
  for (const m of input.messages ?? []) lines.push(`${m.role === 'system' ? 'System' : m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`);
  if (lines.length === 0) return input.prompt ?? '';
  if (input.prompt !== undefined) lines.push(`User: ${input.prompt}`);
  lines.push('Assistant:');
  return lines.join('\n');
}

/** An engine that runs text generation on a GPU allocated from a hosted vGPU pool. */
export class HostedAiEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: EngineCapabilities = { workloads: ['completion'], targets: ['edge'], features: ['abort', 'usage', 'gpu-pool'] };
  /** Checked by the app at start against every `models.overrides.<id>.options` of a model this engine runs. */
  readonly modelOptionsSchema: JsonSchema = hostedAiModelOptionsSchema;
  readonly #pool: HostedAiPoolOptions;
  readonly #http: PoolHttpOptions;
  readonly #lease: HostedAiAllocationLease;
  readonly #models = new Map<string, string>();

  constructor(pool: HostedAiPoolOptions, logger?: PluginLogger) {
    this.id = pool.id;
    this.#pool = pool;
    this.#http = {
      baseURL: pool.baseURL,
      engineId: pool.id,
      timeoutMs: pool.timeoutMs ?? 30_000,
      apiKey: () => (pool.apiKeyEnv ? process.env[pool.apiKeyEnv] : undefined),
    };
    this.#lease = new HostedAiAllocationLease(this.#http, pool, logger);
  }

  /** The allocation currently held (for health and tests). */
  get allocation() {
    return this.#lease.current;
  }

  async doLoad(model: EngineModelSpec, signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    throwIfAborted(signal, `${this.id} load`);
    this.#models.set(model.id, modelNameOption(this.id, model, "the pool's model name") ?? model.id);
  }

  async doUnload(modelId: string): Promise<void> {
    this.#models.delete(modelId);
    if (this.#models.size === 0) await this.#lease.release();
  }

  async doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult> {
    this.#assertOpen();
    throwIfAborted(signal, `${this.id} run`);
    if (request.workload !== 'completion' && request.workload !== 'stream') {
      throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${this.id}: workload '${request.workload}' is not supported (supported: completion)`, details: { engine: this.id } });
    }
    const model = this.#models.get(request.modelId);
    if (model === undefined) {
      throw new SwitchyardError({ code: 'MODEL_NOT_LOADED', message: `${this.id}: model '${request.modelId}' is not loaded`, details: { engine: this.id, model: request.modelId } });
    }
    const prompt = promptFromInput(request.input, this.id);
    // One reallocation when the pool has dropped our allocation (preempted or expired early).
    for (let attempt = 0; ; attempt++) {
      const allocation = await this.#lease.acquire(signal);
      try {
        const p = request.parameters ?? {};
        const response = await poolFetch<InferenceResponse>(this.#http, {
          method: 'POST',
          path: `/v1/inference/${encodeURIComponent(allocation.id)}`,
          what: 'infer',
          refusalCode: 'INVALID_INPUT',
          signal,
          trace: request,
          body: {
            model,
            prompt,
            parameters: {
              ...(p.maxTokens !== undefined ? { max_tokens: p.maxTokens } : {}),
              ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
              ...(p.topP !== undefined ? { top_p: p.topP } : {}),
              ...(p.stop?.length ? { stop_sequences: [...p.stop] } : {}),
            },
          },
        });
        return this.#result(response);
      } catch (error) {
        const status = SwitchyardError.isInstance(error) ? error.details.status : undefined;
        if ((status === 404 || status === 410) && attempt === 0) {
          this.#lease.invalidate(allocation.id);
          continue;
        }
        throw error;
      } finally {
        this.#lease.done();
      }
    }
  }

  #result(response: InferenceResponse): EngineRunResult {
    if (typeof response?.text !== 'string') {
      throw new SwitchyardError({ code: 'PROVIDER_ERROR', message: `${this.id}: the pool's inference response has no text (found ${JSON.stringify(response?.text)})`, details: { engine: this.id, field: 'text' } });
    }
    const tokens = typeof response.tokens_used === 'number' ? response.tokens_used : undefined;
    const finishReason = FINISH_REASONS[String(response.finish_reason)];
    return {
      output: { kind: 'text', text: response.text },
      // the pool's own reason; a response without one says nothing we could honestly report
      ...(finishReason ? { finishReason } : {}),
      ...(tokens !== undefined ? { usage: { totalTokens: tokens } } : {}),
      ...(typeof response.duration_ms === 'number' ? { metrics: { pool_infer_ms: response.duration_ms } } : {}),
    };
  }

  /** The pool API is not streaming: the whole text arrives as one delta; the signal is still checked between parts. */
  async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    const result = await this.doRun(request, signal);
    yield { type: 'start', modelId: request.modelId };
    if (result.output.kind === 'text') yield { type: 'delta', kind: 'text', text: result.output.text };
    throwIfAborted(signal, `${this.id} stream`);
    if (result.metrics) yield { type: 'metrics', metrics: result.metrics };
    yield { type: 'finish', usage: result.usage ?? {}, finishReason: result.finishReason ?? 'other' };
  }

  /** Pool health: `GET /v1/pools/{pool_id}` answered 2xx with a status that is not `unavailable`/`down`. */
  async health(): Promise<EngineHealth> {
    if (this.#lease.closed) return { ok: false, reason: `${this.id}: the engine has been shut down` };
    try {
      const pool = await poolFetch<{ status?: unknown; available_gpus?: unknown }>(
        { ...this.#http, timeoutMs: Math.min(this.#http.timeoutMs, 5000) },
        { method: 'GET', path: `/v1/pools/${encodeURIComponent(this.#pool.poolId)}`, what: 'pool health', refusalCode: 'POOL_UNAVAILABLE' },
      );
      const status = typeof pool?.status === 'string' ? pool.status : 'unknown';
      const details = { poolId: this.#pool.poolId, status, availableGpus: pool?.available_gpus, allocation: this.#lease.current?.id };
      if (status === 'unavailable' || status === 'down') return { ok: false, reason: `${this.id}: pool '${this.#pool.poolId}' reports status '${status}'`, details };
      return { ok: true, details };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error), details: { code: SwitchyardError.isInstance(error) ? error.code : 'INTERNAL' } };
    }
  }

  /** Releases the allocation and refuses further calls. */
  async close(): Promise<void> {
    await this.#lease.close();
  }

  #assertOpen(): void {
    if (this.#lease.closed) throw new SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: `${this.id}: the engine has been shut down`, details: { engine: this.id } });
  }
}
