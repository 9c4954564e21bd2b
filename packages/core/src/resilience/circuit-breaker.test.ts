import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

const counted = new Error('engine failed');
const notCounted = new Error('caller error');

function breaker(consecutiveFailures = 2, cooldownMs = 100) {
  let time = 0;
  const events: string[] = [];
  const b = new CircuitBreaker(consecutiveFailures, cooldownMs, (error) => error !== notCounted, {
    onOpen: () => events.push('open'),
    onClose: () => events.push('close'),
  }, () => time);
  return { b, events, advance: (ms: number) => (time += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after consecutive counted failures; a success or an uncounted error in between does not add up', () => {
    const { b, events } = breaker(2);
    b.recordFailure(b.admit() as 'pass', counted);
    b.recordSuccess(b.admit() as 'pass');
    b.recordFailure(b.admit() as 'pass', counted);
    b.recordFailure(b.admit() as 'pass', notCounted);
    expect(b.state).toBe('closed');
    b.recordFailure(b.admit() as 'pass', counted);
    expect(b.state).toBe('open');
    expect(events).toEqual(['open']);
    expect(b.admit()).toBe('open');
  });

  it('lets one trial through after the cooldown: success closes, a counted failure re-opens', () => {
    const { b, events, advance } = breaker(1, 100);
    b.recordFailure(b.admit() as 'pass', counted);
    advance(99);
    expect(b.admit()).toBe('open');
    advance(1);
    expect(b.admit()).toBe('trial');
    expect(b.state).toBe('half-open');
    b.recordFailure('trial', counted);
    expect(b.state).toBe('open');
    expect(b.admit()).toBe('open');
    advance(100);
    expect(b.admit()).toBe('trial');
    b.recordSuccess('trial');
    expect(b.state).toBe('closed');
    expect(events).toEqual(['open', 'open', 'close']);
  });

  it('makes calls that arrive during the trial wait for it, then admits them by the outcome', async () => {
    const { b, advance } = breaker(1, 10);
    b.recordFailure(b.admit() as 'pass', counted);
    advance(10);
    expect(b.admit()).toBe('trial');
    const waiting = b.admit();
    expect(waiting).toBeInstanceOf(Promise);
    b.recordFailure('trial', notCounted); // an error that is not the engine's closes the circuit
    await waiting;
    expect(b.admit()).toBe('pass');
  });
});

describe('CircuitBreaker.report (what metrics show)', () => {
  it('is cooling-down during a 429 cooldown, open after failures, and half-open once either period has run out (not stale until a call)', () => {
    const { b, advance } = breaker(1, 100);
    b.coolDown(50);
    expect([b.state, b.report]).toEqual(['open', 'cooling-down']);
    advance(50);
    expect(b.report).toBe('half-open');
    b.recordFailure(b.admit() as 'trial', counted);
    expect(b.report).toBe('open');
    advance(100);
    expect(b.report).toBe('half-open');
    b.recordSuccess(b.admit() as 'trial');
    expect(b.report).toBe('closed');
  });
});
