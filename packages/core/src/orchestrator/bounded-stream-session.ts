import type { CallSignal, PipelineStreamSession } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';

export interface BoundedStreamSessionOptions {
  /** Pushes accepted but not yet processed; one more is refused with STREAM_OVERFLOW. */
  readonly maxPending: number;
  /** Aborted on cancel/close; the inner session's runner uses its signal. */
  readonly controller: AbortController;
  readonly signal?: CallSignal;
}

/**
 * Chunk-in session with a bounded input buffer. Pushes are processed in order; awaiting `push` is the backpressure.
 * A producer that runs ahead by more than `maxPending` chunks gets STREAM_OVERFLOW instead of unbounded memory.
 * Results are returned from push/close and also delivered through `results()`.
 */
export class BoundedStreamSession<Chunk = unknown, Result = unknown> implements PipelineStreamSession<Chunk, Result> {
  private pending = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private state: 'open' | 'closing' | 'closed' = 'open';
  private readonly out: Result[] = [];
  private readonly waiters: ((done: boolean) => void)[] = [];

  constructor(
    private readonly inner: PipelineStreamSession<Chunk, Result>,
    private readonly options: BoundedStreamSessionOptions,
  ) {
    options.signal?.addEventListener('abort', () => this.cancel(), { once: true });
  }

  get pendingChunks(): number {
    return this.pending;
  }

  push(chunk: Chunk): Promise<readonly Result[]> {
    if (this.state !== 'open') {
      return Promise.reject(new SwitchyardError({ code: 'STREAM_CLOSED', message: 'push() on a closed stream session' }));
    }
    if (this.pending >= this.options.maxPending) {
      return Promise.reject(
        new SwitchyardError({
          code: 'STREAM_OVERFLOW',
          message: `Stream session buffer is full (${this.options.maxPending} chunks pending); await push() before sending more`,
          retriable: true,
          details: { maxPending: this.options.maxPending },
        }),
      );
    }
    this.pending++;
    return this.enqueue(async () => {
      try {
        if (this.options.controller.signal.aborted) throw aborted();
        return await this.inner.push(chunk);
      } finally {
        this.pending--;
      }
    });
  }

  close(): Promise<readonly Result[]> {
    if (this.state !== 'open') {
      return Promise.reject(new SwitchyardError({ code: 'STREAM_CLOSED', message: 'close() on a closed stream session' }));
    }
    this.state = 'closing';
    return this.enqueue(() => this.inner.close()).finally(() => this.finish());
  }

  /** Stops the session: pending pushes reject with ABORTED, the engine's signal fires. */
  cancel(): void {
    if (this.state === 'closed') return;
    this.options.controller.abort(aborted());
    this.finish();
  }

  /** Every result as it is produced, ending when the session closes. */
  async *results(): AsyncGenerator<Result> {
    let index = 0;
    for (;;) {
      while (index < this.out.length) yield this.out[index++]!;
      if (this.state === 'closed') return;
      await new Promise<boolean>((resolve) => this.waiters.push(resolve));
    }
  }

  private enqueue(task: () => Promise<readonly Result[]>): Promise<readonly Result[]> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run.then((results) => {
      this.out.push(...results);
      this.wake(false);
      return results;
    });
  }

  private finish(): void {
    this.state = 'closed';
    this.wake(true);
  }

  private wake(done: boolean): void {
    for (const waiter of this.waiters.splice(0)) waiter(done);
  }
}

function aborted(): SwitchyardError {
  return new SwitchyardError({ code: 'ABORTED', message: 'The stream session was cancelled' });
}
