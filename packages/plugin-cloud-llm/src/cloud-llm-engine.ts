import { modelNameOption, SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type {
  EngineCapabilities,
  EngineHealth,
  EngineModelSpec,
  EngineRunRequest,
  EngineRunResult,
  EngineStreamPart,
  EngineV1,
  JsonSchema,
  PluginLogger,
} from '@switchyard/spec';
import { toCloudLlmError } from './cloud-llm-errors.js';
import { cloudLlmModelOptionsSchema, readApiKey } from './cloud-llm-options.js';
import type { CloudLlmPrice, CloudLlmProviderOptions } from './cloud-llm-options.js';

/** One provider model call: the provider's model name plus the request. */
export interface ProviderCall {
  readonly model: string;
  readonly request: EngineRunRequest;
  readonly signal: AbortSignal;
}

/**
 * What every cloud provider engine shares: model-name mapping, workload dispatch, error mapping, key handling
 * and health. Subclasses speak one wire API (OpenAI chat completions, Anthropic messages).
 */
export abstract class CloudLlmEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  abstract readonly capabilities: EngineCapabilities;
  /** Checked by the app at start against every `models.overrides.<id>.options` of a model this engine runs. */
  readonly modelOptionsSchema: JsonSchema = cloudLlmModelOptionsSchema;
  protected readonly provider: CloudLlmProviderOptions;
  protected readonly logger: PluginLogger | undefined;
  /** Registry model id -> provider model name (from the model spec's `options.model`). */
  readonly #models = new Map<string, string>();

  constructor(provider: CloudLlmProviderOptions, logger?: PluginLogger) {
    this.id = provider.id;
    this.provider = provider;
    this.logger = logger;
  }

  protected abstract chat(call: ProviderCall): Promise<EngineRunResult>;
  protected abstract chatStream(call: ProviderCall): AsyncIterable<EngineStreamPart>;
  protected abstract embed(call: ProviderCall): Promise<EngineRunResult>;
  /** Asks the server whether it is up (only for self-hosted servers; cloud APIs are not probed). */
  protected abstract probe(signal: AbortSignal): Promise<void>;

  async doLoad(model: EngineModelSpec, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal, 'load');
    this.#models.set(model.id, modelNameOption(this.id, model, "the provider's model name") ?? model.id);
  }

  async doUnload(modelId: string): Promise<void> {
    this.#models.delete(modelId);
  }

  /** Provider model name for a registry id; unknown ids are passed through as provider model names. */
  protected providerModel(modelId: string): string {
    return this.#models.get(modelId) ?? modelId;
  }

  protected price(model: string): CloudLlmPrice | undefined {
    return this.provider.prices?.[model];
  }

  /** The API key, read from the configured env var at call time. */
  protected apiKey(): string | undefined {
    const key = readApiKey(this.provider);
    if (key === undefined && this.provider.apiKeyEnv && this.provider.kind !== 'openai-compatible') {
      throw new SwitchyardError({
        code: 'CONFIG_ENV_MISSING',
        message: `${this.id}: environment variable ${this.provider.apiKeyEnv} (apiKeyEnv) is not set`,
        details: { engine: this.id, env: this.provider.apiKeyEnv },
      });
    }
    return key;
  }

  protected errorContext(model: string | undefined, signal: AbortSignal) {
    return { engineId: this.id, model, signal, secrets: [readApiKey(this.provider)] };
  }

  async doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult> {
    const model = this.providerModel(request.modelId);
    try {
      throwIfAborted(signal, `${this.id} run`);
      const call = { model, request, signal };
      switch (request.workload) {
        case 'completion':
        case 'stream':
          return await this.chat(call);
        case 'embedding':
          return await this.embed(call);
        default:
          throw new SwitchyardError({
            code: 'UNSUPPORTED',
            message: `${this.id}: workload '${request.workload}' is not supported (supported: ${this.capabilities.workloads.join(', ')})`,
            details: { engine: this.id, workload: request.workload },
          });
      }
    } catch (error) {
      throw toCloudLlmError(error, this.errorContext(model, signal));
    }
  }

  async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    const model = this.providerModel(request.modelId);
    try {
      throwIfAborted(signal, `${this.id} stream`);
      if (request.workload === 'embedding') {
        throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${this.id}: embeddings cannot be streamed`, details: { engine: this.id } });
      }
      yield* this.chatStream({ model, request, signal });
    } catch (error) {
      throw toCloudLlmError(error, this.errorContext(model, signal));
    }
  }

  async health(): Promise<EngineHealth> {
    if (this.provider.kind !== 'openai-compatible') {
      if (this.provider.apiKeyEnv && readApiKey(this.provider) === undefined) {
        return { ok: false, reason: `environment variable ${this.provider.apiKeyEnv} (apiKeyEnv) is not set` };
      }
      return { ok: true, details: { kind: this.provider.kind } };
    }
    try {
      await this.probe(AbortSignal.timeout(5000));
      return { ok: true, details: { kind: this.provider.kind, baseURL: this.provider.baseURL } };
    } catch (error) {
      const mapped = toCloudLlmError(error, { engineId: this.id, secrets: [readApiKey(this.provider)] });
      return { ok: false, reason: mapped.message, details: { code: mapped.code } };
    }
  }
}

/** Throws ABORTED when a stream ended because its signal fired (the SDKs end such streams silently). */
export function assertStreamNotAborted(signal: AbortSignal, engineId: string): void {
  throwIfAborted(signal, `${engineId} stream`);
}

/** A stream that closed without the provider's end marker was cut off. */
export function droppedStreamError(engineId: string, model: string): SwitchyardError {
  return new SwitchyardError({
    code: 'CONNECTION_FAILED',
    retriable: true,
    message: `${engineId} (model '${model}'): the stream ended before the provider finished the response`,
    details: { engine: engineId, model },
  });
}

/**
 * Headers every upstream call carries: the correlation id as `x-request-id` (a provider-side log line matches
 * ours) and the caller's W3C trace context (`traceparent`/`tracestate`), so the call joins the caller's trace.
 */
export function upstreamRequestOptions(call: ProviderCall): { signal: AbortSignal; headers?: Record<string, string> } {
  const { correlationId, traceparent, tracestate } = call.request;
  if (correlationId === undefined && traceparent === undefined) return { signal: call.signal };
  const headers: Record<string, string> = {};
  if (correlationId !== undefined) headers['x-request-id'] = correlationId;
  if (traceparent !== undefined) headers.traceparent = traceparent;
  if (tracestate !== undefined) headers.tracestate = tracestate;
  return { signal: call.signal, headers };
}
