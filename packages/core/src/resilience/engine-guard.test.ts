import { describe, expect, it } from 'vitest';
import { EngineGuard } from './engine-guard.js';
import { resolveResilience } from './resilience-config.js';

const guard = () => new EngineGuard('e', resolveResilience({ timeoutMs: 20 }, 'e'));
const never = () => new AbortController().signal;

describe('EngineGuard attempt signals', () => {
  it('aborts the engine signal at the timeout and never hands that signal out again', async () => {
    const g = guard();
    let first!: AbortSignal;
    await expect(g.execute((s) => ((first = s), new Promise(() => {})), never())).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(first.aborted).toBe(true);
    const second = await g.execute(async (s) => s, never());
    expect(second).not.toBe(first);
    expect(second.aborted).toBe(false);
  });

  it('forwards a caller abort to the engine signal', async () => {
    const g = guard();
    const caller = new AbortController();
    let seen!: AbortSignal;
    const attempt = g.execute((s) => ((seen = s), new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason)))), caller.signal);
    caller.abort(new Error('stop'));
    await expect(attempt).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen.aborted).toBe(true);
  });

  it('gives every attempt its own signal, so work that outlives a call never sees a later call abort', async () => {
    const g = guard();
    const first = await g.execute(async (s) => s, never());
    const second = await g.execute(async (s) => s, never());
    expect(second).not.toBe(first);
  });
});
