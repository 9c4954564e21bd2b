import { describe, expect, it } from 'vitest';
import { StateStore } from '@switchyard/store';
import { SessionStore } from './session-store.js';

describe('SessionStore', () => {
  it('holds at most maxSessions live sessions: a new id beyond it is a retriable 429 until one expires', () => {
    const state = new StateStore();
    const sessions = new SessionStore({ ttlMs: 1000, maxTurns: 10, tokenBudget: 100 }, state, 3);
    for (const id of ['a', 'b', 'c']) expect(sessions.touch(id, 0).session.turns).toBe(1);
    expect(() => sessions.touch('d', 10)).toThrow(expect.objectContaining({ code: 'ADMISSION_REJECT', retriable: true, message: expect.stringContaining('3 live sessions') }));
    // A known session keeps working at the limit.
    expect(sessions.touch('a', 20).session.turns).toBe(2);
    expect(sessions.delete('b')).toBe(true);
    expect(sessions.touch('d', 30).session.turns).toBe(1);
    expect(state.sessionCount).toBe(3);
    // Once they expire, their slots are free again (expiry runs before refusing).
    expect(sessions.touch('e', 5000).session.turns).toBe(1);
    expect(state.sessionCount).toBe(1);
    state.close();
  });
});
