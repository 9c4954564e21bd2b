import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { createTestPluginContext, rejectionOf } from './test-helpers.js';
import { createWordEchoEngine } from '../test/word-echo-engine.js';

describe('rejectionOf', () => {
  it('returns the SwitchyardError, and throws when the call succeeds or throws something else', async () => {
    const error = new SwitchyardError({ code: 'RATE_LIMITED', message: 'slow down' });
    expect(await rejectionOf(Promise.reject(error))).toBe(error);
    await expect(rejectionOf(Promise.resolve(1))).rejects.toThrow('expected the call to fail');
    await expect(rejectionOf(Promise.reject(new TypeError('raw')))).rejects.toThrow('raw');
  });
});

describe('createTestPluginContext', () => {
  it('records engines and log lines and refuses a duplicate engine id', () => {
    const { context, engines, logs } = createTestPluginContext({ a: 1 });
    context.registerEngine(createWordEchoEngine());
    context.logger.info({ engine: 'word-echo' }, 'registered');
    expect(engines.map((e) => e.id)).toEqual(['word-echo']);
    expect(logs).toEqual(['info registered {"engine":"word-echo"}']);
    expect(() => context.registerEngine(createWordEchoEngine())).toThrow(expect.objectContaining({ code: 'PLUGIN_REGISTRATION_CONFLICT' }));
  });
});
