/**
 * Re-frames audio pushed in arbitrary chunk sizes into fixed windows. Holds at most one partial window between
 * calls, so memory stays bounded whatever the producer's chunking.
 */
export class SampleReframer {
  private readonly partial: Float32Array;
  private filled = 0;

  constructor(private readonly window: number) {
    this.partial = new Float32Array(window);
  }

  /** Samples held back waiting for the rest of their window. */
  get buffered(): number {
    return this.filled;
  }

  /** Returns every complete window the chunk finishes (copies; the chunk may be reused by the caller). */
  push(chunk: Float32Array): Float32Array[] {
    const windows: Float32Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(this.window - this.filled, chunk.length - at);
      this.partial.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.window) {
        windows.push(this.partial.slice());
        this.filled = 0;
      }
    }
    return windows;
  }

  /** The last partial window zero-padded to full size, or undefined when nothing is held. */
  flush(): Float32Array | undefined {
    if (this.filled === 0) return undefined;
    const last = new Float32Array(this.window);
    last.set(this.partial.subarray(0, this.filled));
    this.filled = 0;
    return last;
  }
}
