import type { PipelineStreamSession } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { countsAgainstEngine } from '../resilience/engine-guard.js';

/** Errors of a stream's caller (its pace, its use after close), never the engine's. */
const CALLER_ERRORS = new Set(['STREAM_OVERFLOW', 'STREAM_CLOSED']);

/**
 * A pipeline stream session that holds its engine's bulkhead slot — taken once, when the session opened, after the
 * circuit check — until it ends: `close()` (the first engine failure seen, if any, is recorded on the circuit) or an
 * abort of the session's signal. Chunks in between pay for no guard at all: the window kernel, `session.run` and
 * the runner's abort check.
 */
export class GuardedStreamSession<Chunk, Result> implements PipelineStreamSession<Chunk, Result> {
  private failure: unknown;

  constructor(
    private readonly inner: PipelineStreamSession<Chunk, Result>,
    private readonly release: (error?: unknown) => void,
    private readonly signal: AbortSignal,
  ) {
    if (signal.aborted) release();
    else signal.addEventListener('abort', this, { once: true });
  }

  /** The session's signal aborted: the caller gave up, which is no failure of the engine. */
  handleEvent(): void {
    this.end(undefined);
  }

  async push(chunk: Chunk): Promise<readonly Result[]> {
    try {
      return await this.inner.push(chunk);
    } catch (error) {
      this.note(error);
      throw error;
    }
  }

  async close(): Promise<readonly Result[]> {
    try {
      const results = await this.inner.close();
      this.end(this.failure);
      return results;
    } catch (error) {
      this.note(error);
      this.end(this.failure);
      throw error;
    }
  }

  private note(error: unknown): void {
    const callers = SwitchyardError.isInstance(error) && CALLER_ERRORS.has(error.code);
    if (this.failure === undefined && !callers && !this.signal.aborted && countsAgainstEngine(error)) this.failure = error;
  }

  private end(error: unknown): void {
    this.signal.removeEventListener('abort', this);
    this.release(error);
  }
}
