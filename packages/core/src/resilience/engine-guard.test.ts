import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { EngineGuard, MAX_DEPLOYMENTS } from './engine-guard.js';
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

describe('EngineGuard mechanics (shared timer, one caller listener, bulkhead)', () => {
  const deferred = () => {
    let resolve!: (v: string) => void;
    const promise = new Promise<string>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('arms one timer for many attempts instead of one per call', async () => {
    const g = new EngineGuard('e', resolveResilience({ timeoutMs: 60_000 }, 'e'));
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      for (let i = 0; i < 20; i++) await g.execute(async () => i, never());
      await Promise.all(Array.from({ length: 10 }, (_, i) => g.execute(async () => i, never())));
      expect(spy.mock.calls.length).toBeLessThanOrEqual(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('times out each attempt at its own limit, in deadline order, with a later short limit first', async () => {
    const g = new EngineGuard('e', resolveResilience({ timeoutMs: 60_000 }, 'e'));
    const order: string[] = [];
    const long = g.execute(() => new Promise(() => {}), never(), 80).catch((e: { code: string }) => order.push(`long:${e.code}`));
    const short = g.execute(() => new Promise(() => {}), never(), 10).catch((e: { code: string }) => order.push(`short:${e.code}`));
    const answered = g.execute(async () => 'ok', never(), 5);
    expect(await answered).toBe('ok');
    await Promise.all([long, short]);
    expect(order).toEqual(['short:TIMEOUT', 'long:TIMEOUT']);
    expect(g.load).toBe(0);
  });

  it('takes a timeout longer than setTimeout allows (2^31-1 ms) as far away, not as due', async () => {
    const g = new EngineGuard('e', resolveResilience({ timeoutMs: 3e9 }, 'e'));
    const slow = new Promise((resolve) => setTimeout(() => resolve('answered'), 20));
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      expect(await g.execute(() => slow, never())).toBe('answered');
      // one timer, armed once (an overflowing delay would fire at once and re-arm every millisecond)
      expect(spy.mock.calls.length).toBe(1);
      expect(spy.mock.calls[0]![1]).toBe(2 ** 31 - 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves nothing keeping the process alive once every attempt settled', async () => {
    const g = new EngineGuard('e', resolveResilience({ timeoutMs: 60_000 }, 'e'));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const hanging = deferred();
    const call = g.execute(() => hanging.promise, never());
    expect(timers()).toBe(before + 1);
    hanging.resolve('done');
    expect(await call).toBe('done');
    expect(timers()).toBe(before);
  });

  it('adds one abort listener to a caller signal however many attempts run under it', async () => {
    const g = new EngineGuard('e', resolveResilience({}, 'e'));
    const caller = new AbortController();
    const gates = [deferred(), deferred(), deferred()];
    const seen: AbortSignal[] = [];
    const calls = gates.map((gate) => g.execute((s) => (seen.push(s), gate.promise), caller.signal));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    gates[0]!.resolve('first');
    expect(await calls[0]).toBe('first');
    caller.abort(new Error('stop'));
    expect(seen.map((s) => s.aborted)).toEqual([false, true, true]);
    // the engine decides what an abort means for work in flight; these two answer anyway
    gates[1]!.resolve('late');
    gates[2]!.resolve('late');
    expect(await Promise.all(calls.slice(1))).toEqual(['late', 'late']);
    expect(g.load).toBe(0);
  });

  it('queues past maxConcurrent in order, refuses past maxQueue, and drops a queued caller that aborted', async () => {
    const g = new EngineGuard('e', resolveResilience({ bulkhead: { maxConcurrent: 1, maxQueue: 2 } }, 'e'));
    const gate = deferred();
    const order: string[] = [];
    const first = g.execute(() => gate.promise, never());
    const leaving = new AbortController();
    const queuedAborted = g.execute(async () => order.push('aborted one ran'), leaving.signal);
    const queued = g.execute(async () => (order.push('queued'), 'second'), never());
    await expect(g.execute(async () => 'x', never())).rejects.toMatchObject({ code: 'BULKHEAD_FULL' });
    expect(g.load).toBe(3);
    leaving.abort();
    gate.resolve('first');
    expect(await first).toBe('first');
    await expect(queuedAborted).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await queued).toBe('second');
    expect(order).toEqual(['queued']);
    expect(g.load).toBe(0);
  });

  it('refuses calls while the circuit is open and holds a stream slot until release', async () => {
    const g = new EngineGuard('e', resolveResilience({ circuitBreaker: { consecutiveFailures: 1, cooldownMs: 60_000 }, bulkhead: { maxConcurrent: 1, maxQueue: 0 } }, 'e'));
    const release = await g.acquireStreamSlot(never());
    expect(g.load).toBe(1);
    await expect(g.execute(async () => 'x', never())).rejects.toMatchObject({ code: 'BULKHEAD_FULL' });
    release(new Error('stream broke'));
    expect(g.load).toBe(0);
    expect(g.circuitState).toBe('open');
    await expect(g.execute(async () => 'x', never())).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await expect(g.acquireStreamSlot(never())).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});

describe('EngineGuard deployments: breaker per (engine, model), 429 cooldowns', () => {
  const failing = (code: string, retryAfterMs?: number) => async () => {
    throw new SwitchyardError({ code: code as 'OVERLOADED', message: code, retriable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  };
  const tripping = () => new EngineGuard('cloud', resolveResilience({ circuitBreaker: { consecutiveFailures: 2, cooldownMs: 10_000 } }, 'cloud'));

  it("one model's failures open its own circuit only; the other model of the engine keeps working", async () => {
    const g = tripping();
    for (let i = 0; i < 2; i++) await expect(g.execute(failing('OVERLOADED'), never(), undefined, 'big')).rejects.toMatchObject({ code: 'OVERLOADED' });
    await expect(g.execute(async () => 'x', never(), undefined, 'big')).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', message: expect.stringContaining("'cloud:big'") });
    await expect(g.execute(async () => 'fine', never(), undefined, 'small')).resolves.toBe('fine');
    expect(g.circuitStates()).toEqual({ big: 'open', small: 'closed' });
    expect(g.circuitState).toBe('open');
  });

  it('caller errors and unknown models never count', async () => {
    const g = tripping();
    for (const code of ['NO_SUCH_MODEL', 'INVALID_INPUT', 'UNSUPPORTED', 'NO_SUCH_MODEL', 'INVALID_INPUT']) {
      await expect(g.execute(failing(code), never(), undefined, 'm')).rejects.toMatchObject({ code });
    }
    expect(g.circuitStates()).toEqual({ m: 'closed' });
  });

  it('a 429 cools that deployment down for its Retry-After (RATE_LIMITED, retriable) instead of tripping, then lets a call through', async () => {
    const g = tripping();
    await expect(g.execute(failing('RATE_LIMITED', 150), never(), undefined, 'm')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    let called = false;
    const cooling = await g.execute(async () => ((called = true), 'x'), never(), undefined, 'm').catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(cooling).toMatchObject({ code: 'RATE_LIMITED', retriable: true, message: expect.stringContaining('cooling down after a 429') });
    expect((cooling as SwitchyardError).retryAfterMs).toBeLessThanOrEqual(150);
    await expect(g.execute(async () => 'other', never(), undefined, 'other')).resolves.toBe('other');
    await new Promise((resolve) => setTimeout(resolve, 170));
    await expect(g.execute(async () => 'back', never(), undefined, 'm')).resolves.toBe('back');
    expect(g.circuitStates().m).toBe('closed');
  });
});

describe('EngineGuard breakers are bounded', () => {
  it(`keeps at most MAX_DEPLOYMENTS breakers: the least recently used idle one is forgotten, a tripped or cooling one is kept`, async () => {
    const g = new EngineGuard('e', resolveResilience({ timeoutMs: 60_000, circuitBreaker: { consecutiveFailures: 1 } }, 'e'));
    const signal = never();
    await g.execute(() => Promise.reject(new SwitchyardError({ code: 'PROVIDER_ERROR', message: '500' })), signal, undefined, 'tripped').catch(() => undefined);
    await g.execute(() => Promise.reject(new SwitchyardError({ code: 'RATE_LIMITED', message: '429', retriable: true, retryAfterMs: 5000 })), signal, undefined, 'limited').catch(() => undefined);
    for (let i = 0; i < MAX_DEPLOYMENTS + 10; i++) await g.execute(async () => 'ok', signal, undefined, `m${i}`);
    const states = g.circuitStates();
    expect(Object.keys(states)).toHaveLength(MAX_DEPLOYMENTS);
    expect(states).toMatchObject({ tripped: 'open', limited: 'cooling-down', [`m${MAX_DEPLOYMENTS + 9}`]: 'closed' });
    expect(states['m0']).toBeUndefined();
    expect(g.circuitState).toBe('open');
  });
});
