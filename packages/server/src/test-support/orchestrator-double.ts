import type { CallSignal, InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, CallOptions, PipelineStreamSession } from '@switchyard/core';
import { AbortedError, NoSuchModelError, SwitchyardError } from '@switchyard/core';

export interface DoubleModel {
  /** Tokens a completion streams (default: the words of the last message/prompt). */
  readonly tokens?: readonly string[];
  /** Fail every call with this error (after `failAfterTokens` tokens when streaming). */
  readonly error?: SwitchyardError;
  readonly failAfterTokens?: number;
  /** Hold each call until `release()` is called (deterministic queue tests). */
  readonly gated?: boolean;
  readonly embeddingDim?: number;
  /** Return embeddings the way interpreted pipelines do: a json tensor `{type, dims, data: Float32Array}`. */
  readonly embeddingAsTensor?: boolean;
}

export interface RecordedCall {
  readonly request: InferenceRequest;
  readonly signal: CallSignal | undefined;
  readonly kind: 'run' | 'stream';
}

/**
 * In-test Orchestrator that honours the OrchestratorApi contract like a real engine would: streams tokens one
 * by one with a real delay, checks its AbortSignal between tokens (throwing ABORTED), and rejects unknown
 * models with NO_SUCH_MODEL.
 */
export class OrchestratorDouble implements OrchestratorApi {
  readonly calls: RecordedCall[] = [];
  abortedCalls = 0;
  private gates: (() => void)[] = [];

  constructor(
    private readonly models: Readonly<Record<string, DoubleModel>>,
    private readonly tokenDelayMs = 2,
  ) {}

  /** Lets every gated call that is waiting continue. */
  release(): void {
    for (const open of this.gates.splice(0)) open();
  }

  get waiting(): number {
    return this.gates.length;
  }

  async run(request: InferenceRequest, options: CallOptions = {}): Promise<InferenceResult> {
    this.calls.push({ request, signal: options.signal, kind: 'run' });
    const model = this.model(request.model);
    await this.gate(model, options.signal);
    if (model.error) throw model.error;
    const started = Date.now();
    const all = this.tokensFor(model, request);
    const tokens = all.slice(0, request.parameters?.maxTokens ?? all.length);
    const output =
      request.workload === 'embedding' && request.input.kind === 'texts'
        ? model.embeddingAsTensor
          ? { kind: 'json' as const, value: tensorOf(request.input.texts.map((text) => embed(text, model.embeddingDim ?? 8))) }
          : { kind: 'embeddings' as const, vectors: request.input.texts.map((text) => embed(text, model.embeddingDim ?? 8)) }
        : request.workload === 'completion'
          ? { kind: 'text' as const, text: tokens.join('') }
          : { kind: 'json' as const, value: { model: request.model, input_kind: request.input.kind } };
    const inputTokens = request.input.kind === 'texts' ? request.input.texts.join(' ').split(/\s+/).length : 3;
    return {
      output,
      usage: { inputTokens, outputTokens: output.kind === 'text' ? tokens.length : 0 },
      finishReason: tokens.length < all.length ? 'length' : 'stop',
      policy: { outcome: 'allow', reason: 'double' },
      decision: { target: 'local', engine: 'double', model: request.model, reason: 'test double', source: 'pin' },
      attempts: [{ engine: 'double', model: request.model }],
      timings: { queueMs: 0, preprocessMs: 0, inferMs: Date.now() - started, postprocessMs: 0, totalMs: Date.now() - started },
    };
  }

  async *stream(request: InferenceRequest, options: CallOptions = {}): AsyncIterable<InferenceStreamPart> {
    this.calls.push({ request, signal: options.signal, kind: 'stream' });
    const model = this.model(request.model);
    const signal = options.signal;
    yield { type: 'routing', decision: { target: 'local', engine: 'double', model: request.model, reason: 'test double', source: 'pin' }, policy: { outcome: 'allow', reason: 'double' } };
    await this.gate(model, signal);
    const tokens = this.tokensFor(model, request);
    const limit = request.parameters?.maxTokens ?? Infinity;
    let emitted = 0;
    for (const token of tokens) {
      if (model.error && emitted >= (model.failAfterTokens ?? 0)) throw model.error;
      if (emitted >= limit) break;
      await this.sleep(this.tokenDelayMs, signal);
      yield { type: 'delta', kind: 'text', text: token };
      emitted += 1;
    }
    if (model.error) throw model.error;
    yield { type: 'finish', usage: { inputTokens: 3, outputTokens: emitted, totalTokens: 3 + emitted }, finishReason: emitted >= limit && emitted < tokens.length ? 'length' : 'stop' };
  }

  async openStreamSession(model: string): Promise<PipelineStreamSession<unknown, unknown>> {
    this.model(model);
    return { push: async (chunk) => [chunk], close: async () => [] };
  }

  private model(id: string): DoubleModel {
    const model = this.models[id];
    if (!model) throw new NoSuchModelError({ modelId: id, available: Object.keys(this.models) });
    return model;
  }

  private tokensFor(model: DoubleModel, request: InferenceRequest): readonly string[] {
    if (model.tokens) return model.tokens;
    const input = request.input;
    const text = input.kind === 'text' ? (input.prompt ?? input.messages?.at(-1)?.content ?? '') : '';
    return text.split(/(?<=\s)/).filter(Boolean);
  }

  private async gate(model: DoubleModel, signal: CallSignal | undefined): Promise<void> {
    if (!model.gated) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.abortedCalls += 1;
        reject(new AbortedError());
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.gates.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private sleep(ms: number, signal: CallSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        this.abortedCalls += 1;
        reject(new AbortedError());
      };
      if (signal?.aborted) return onAbort();
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function embed(text: string, dim: number): number[] {
  const vector = new Array<number>(dim).fill(0);
  for (let i = 0; i < text.length; i += 1) vector[i % dim]! += text.charCodeAt(i) / 1000;
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

function tensorOf(rows: number[][]): { type: 'float32'; dims: number[]; data: Float32Array } {
  return { type: 'float32', dims: [rows.length, rows[0]?.length ?? 0], data: Float32Array.from(rows.flat()) };
}
