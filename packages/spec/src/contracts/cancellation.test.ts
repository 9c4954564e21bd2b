import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cancellation, abortSignalOf } from './cancellation.js';

describe('Cancellation', () => {
  afterEach(() => vi.restoreAllMocks());

  it('makes no AbortController until its signal is read, and reads like an AbortSignal meanwhile', () => {
    const created = vi.spyOn(globalThis, 'AbortController');
    const cancellation = new Cancellation();
    const heard: string[] = [];
    const listener = () => heard.push('function');
    cancellation.addEventListener('abort', listener);
    cancellation.addEventListener('abort', { handleEvent: (event) => heard.push(`object:${event.type}`) });
    expect(cancellation.aborted).toBe(false);
    expect(cancellation.reason).toBeUndefined();
    cancellation.cancel(new Error('stop'));
    expect(created).not.toHaveBeenCalled();
    created.mockRestore();
    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toEqual(new Error('stop'));
    expect(heard).toEqual(['function', 'object:abort']);
    // Born aborted when first read after the cancel, with the same reason.
    expect(cancellation.signal.aborted).toBe(true);
    expect(cancellation.signal.reason).toEqual(new Error('stop'));
  });

  it('a signal read before the cancel fires on it; the same signal on every read', () => {
    const cancellation = new Cancellation();
    const signal = cancellation.signal;
    expect(cancellation.signal).toBe(signal);
    let fired = 0;
    signal.addEventListener('abort', () => (fired += 1));
    cancellation.cancel('why');
    expect(fired).toBe(1);
    expect(signal.reason).toBe('why');
  });

  it('cancels once: the first reason stays, listeners run once, a removed or late listener never runs', () => {
    const cancellation = new Cancellation();
    let calls = 0;
    let removedCalls = 0;
    const listener = () => (calls += 1);
    const removed = () => (removedCalls += 1);
    cancellation.addEventListener('abort', listener);
    cancellation.addEventListener('abort', listener); // the same listener twice counts once, as on EventTarget
    cancellation.addEventListener('abort', removed);
    cancellation.removeEventListener('abort', removed);
    cancellation.cancel('first');
    cancellation.cancel('second');
    let late = 0;
    cancellation.addEventListener('abort', () => (late += 1));
    expect({ calls, removedCalls, late, reason: cancellation.reason }).toEqual({ calls: 1, removedCalls: 0, late: 0, reason: 'first' });
  });

  it('the default reason is an AbortError, as AbortController.abort() gives', () => {
    const cancellation = new Cancellation();
    cancellation.cancel();
    expect(cancellation.reason).toBeInstanceOf(DOMException);
    expect((cancellation.reason as DOMException).name).toBe('AbortError');
  });

  it('a throwing listener does not stop the others; its error is reported as uncaught', async () => {
    const reported: unknown[] = [];
    const onUncaught = (error: unknown) => reported.push(error);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      const cancellation = new Cancellation();
      let after = 0;
      cancellation.addEventListener('abort', () => {
        throw new Error('listener broke');
      });
      cancellation.addEventListener('abort', () => (after += 1));
      cancellation.cancel();
      expect(after).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(reported).toEqual([new Error('listener broke')]);
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
  });
});

describe('abortSignalOf', () => {
  it('is the signal itself for an AbortSignal and the (made on demand) signal of a Cancellation', () => {
    const plain = new AbortController().signal;
    expect(abortSignalOf(plain)).toBe(plain);
    const cancellation = new Cancellation();
    const made = abortSignalOf(cancellation);
    expect(made).toBeInstanceOf(AbortSignal);
    expect(made).toBe(cancellation.signal);
  });
});
