import type {
  EngineCapabilities,
  EngineHealth,
  EngineModelSpec,
  EngineRunRequest,
  EngineRunResult,
  EngineStreamPart,
  EngineV1,
} from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';

export interface FaultPlan {
  /** Probability a call fails with a retriable error. */
  readonly failRate?: number;
  /** Probability a call hangs until aborted. */
  readonly hangRate?: number;
  /** Probability a call takes `slowMs` (longer than the timeout). */
  readonly slowRate?: number;
  readonly slowMs?: number;
  /** Tokens emitted by doStream; `failAfterTokens` throws mid-stream. */
  readonly tokens?: readonly string[];
  readonly failAfterTokens?: number;
  /** Delay between streamed tokens. */
  readonly tokenDelayMs?: number;
  readonly random?: () => number;
}

/** Deterministic PRNG for reproducible fault injection. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): SwitchyardError {
  return new SwitchyardError({ code: 'ABORTED', message: 'engine call aborted' });
}

/** Engine double that honours EngineV1 (AbortSignal included) and injects failures, hangs and slow calls. */
export class FaultEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: EngineCapabilities;
  calls = 0;
  aborts = 0;
  active = 0;
  maxActive = 0;
  loads: string[] = [];
  plan: FaultPlan;
  /** Unset: tests that exercise the AbortCheck path assign one. */
  doRunChecked?: EngineV1['doRunChecked'];

  constructor(
    readonly id: string,
    plan: FaultPlan = {},
    capabilities: Partial<EngineCapabilities> = {},
  ) {
    this.plan = plan;
    this.capabilities = {
      workloads: ['completion', 'inference', 'stream'],
      targets: ['local'],
      features: ['streaming', 'abort'],
      ...capabilities,
    };
  }

  async doLoad(model: EngineModelSpec): Promise<void> {
    this.loads.push(model.id);
  }

  async doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult> {
    this.calls++;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const onAbort = () => this.aborts++;
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const random = this.plan.random ?? Math.random;
      const roll = random();
      const fail = this.plan.failRate ?? 0;
      const hang = this.plan.hangRate ?? 0;
      const slow = this.plan.slowRate ?? 0;
      if (roll < fail) {
        await Promise.resolve();
        throw new SwitchyardError({ code: 'OVERLOADED', message: `${this.id} injected failure`, retriable: true });
      }
      if (roll < fail + hang) {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(abortError()), { once: true }));
      }
      if (roll < fail + hang + slow) await sleep(this.plan.slowMs ?? 1000, signal);
      const text = request.input.kind === 'text' ? (request.input.prompt ?? '') : request.input.kind;
      return { output: { kind: 'text', text: `${this.id}:${text}` }, usage: { inputTokens: 3, outputTokens: 2 }, finishReason: 'stop' };
    } finally {
      this.active--;
      signal.removeEventListener('abort', onAbort);
    }
  }

  async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    this.calls++;
    const onAbort = () => this.aborts++;
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield { type: 'start', modelId: request.modelId };
      const tokens = this.plan.tokens ?? ['a', 'b', 'c'];
      for (let i = 0; i < tokens.length; i++) {
        if (this.plan.failAfterTokens !== undefined && i === this.plan.failAfterTokens) {
          throw new SwitchyardError({ code: 'CONNECTION_FAILED', message: `${this.id} dropped the stream`, retriable: true });
        }
        if (this.plan.tokenDelayMs) await sleep(this.plan.tokenDelayMs, signal);
        if (signal.aborted) throw abortError();
        yield { type: 'delta', kind: 'text', text: tokens[i]! };
      }
      yield { type: 'finish', usage: { outputTokens: tokens.length }, finishReason: 'stop' };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async doUnload(_modelId: string): Promise<void> {}

  async health(): Promise<EngineHealth> {
    return { ok: true };
  }
}
