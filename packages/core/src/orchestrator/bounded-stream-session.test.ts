import { describe, expect, it } from 'vitest';
import type { PipelineStreamSession } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { BoundedStreamSession } from './bounded-stream-session.js';

/** A chunk-in session whose pushes complete only when released (to hold the buffer full). */
function gatedSession() {
  const gates: (() => void)[] = [];
  const seen: number[] = [];
  let closed = false;
  const inner: PipelineStreamSession<number, string> = {
    async push(chunk) {
      await new Promise<void>((resolve) => gates.push(resolve));
      seen.push(chunk);
      return [`r${chunk}`];
    },
    async close() {
      closed = true;
      return ['final'];
    },
  };
  return { inner, gates, seen, isClosed: () => closed };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedStreamSession', () => {
  it('processes chunks in order, returns partial results from push and the flush from close, and streams results()', async () => {
    const { inner, gates } = gatedSession();
    const session = new BoundedStreamSession(inner, { maxPending: 4, controller: new AbortController() });
    const collected: string[] = [];
    const reader = (async () => {
      for await (const r of session.results()) collected.push(r);
    })();
    const a = session.push(1);
    const b = session.push(2);
    await tick();
    gates.shift()!();
    expect(await a).toEqual(['r1']);
    await tick();
    gates.shift()!();
    expect(await b).toEqual(['r2']);
    expect(await session.close()).toEqual(['final']);
    await reader;
    expect(collected).toEqual(['r1', 'r2', 'final']);
  });

  it('refuses a push beyond the buffer with STREAM_OVERFLOW, and accepts again once the consumer catches up', async () => {
    const { inner, gates } = gatedSession();
    const session = new BoundedStreamSession(inner, { maxPending: 2, controller: new AbortController() });
    const first = session.push(1);
    const second = session.push(2);
    const overflow = await session.push(3).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(overflow, 'STREAM_OVERFLOW')).toBe(true);
    expect((overflow as SwitchyardError).message).toContain('2 chunks pending');
    expect(session.pendingChunks).toBe(2);
    await tick();
    gates.shift()!();
    await first;
    const third = session.push(3);
    await tick();
    gates.shift()!();
    await second;
    await tick();
    gates.shift()!();
    expect(await third).toEqual(['r3']);
  });

  it('cancel aborts the signal, fails pending pushes with ABORTED and closes the session', async () => {
    const { inner, gates, seen } = gatedSession();
    const controller = new AbortController();
    const session = new BoundedStreamSession(inner, { maxPending: 4, controller });
    const first = session.push(1);
    await tick();
    const queued = session.push(2);
    session.cancel();
    expect(controller.signal.aborted).toBe(true);
    await tick();
    gates.shift()!();
    await first;
    const error = await queued.catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
    expect(seen).toEqual([1]);
    const late = await session.push(9).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(late, 'STREAM_CLOSED')).toBe(true);
  });

  it('the caller signal cancels the session', async () => {
    const { inner } = gatedSession();
    const outer = new AbortController();
    const controller = new AbortController();
    const session = new BoundedStreamSession(inner, { maxPending: 1, controller, signal: outer.signal });
    outer.abort();
    expect(controller.signal.aborted).toBe(true);
    await expect(session.push(1)).rejects.toMatchObject({ code: 'STREAM_CLOSED' });
  });

  it('close twice is STREAM_CLOSED', async () => {
    const { inner, isClosed } = gatedSession();
    const session = new BoundedStreamSession(inner, { maxPending: 1, controller: new AbortController() });
    await session.close();
    expect(isClosed()).toBe(true);
    await expect(session.close()).rejects.toMatchObject({ code: 'STREAM_CLOSED' });
  });
});
