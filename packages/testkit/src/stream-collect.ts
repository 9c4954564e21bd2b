import type { EngineStreamPart } from '@switchyard/spec';

export interface CollectedStream {
  readonly parts: EngineStreamPart[];
  /** What the iterator threw, if it threw. */
  readonly thrown?: unknown;
}

/** Drains a stream, keeping what it threw instead of rethrowing. */
export async function collectStream(stream: AsyncIterable<EngineStreamPart>): Promise<CollectedStream> {
  const parts: EngineStreamPart[] = [];
  try {
    for await (const part of stream) parts.push(part);
    return { parts };
  } catch (thrown) {
    return { parts, thrown };
  }
}

/** The error a stream ended with: what it threw, or the last `error` part. */
export function streamError(collected: CollectedStream): unknown {
  if (collected.thrown !== undefined) return collected.thrown;
  const last = collected.parts[collected.parts.length - 1];
  return last?.type === 'error' ? last.error : undefined;
}

/** Resolves with `promise`, or rejects with a clear message after `ms` (guards tests against engines that hang). */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
