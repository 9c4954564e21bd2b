import { describe, expect, it } from 'vitest';
import { definePlugin, SwitchyardError } from '@switchyard/spec';
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

  const echoPlugin = definePlugin<{ id: string; greeting: string }>({
    name: 'echo-plugin',
    version: '1.0.0',
    core: '^0.1.0',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { id: { type: 'string', default: 'echo' }, greeting: { type: 'string', default: 'hi' } },
    },
    register(context) {
      context.registerEngine(createWordEchoEngine({ id: context.options.id }));
    },
  });

  it('given the plugin, applies its configSchema defaults as the host does', async () => {
    const { context, engines } = createTestPluginContext(echoPlugin, { greeting: 'hello' });
    expect(context.options).toEqual({ id: 'echo', greeting: 'hello' });
    await echoPlugin.register(context);
    expect(engines.map((engine) => engine.id)).toEqual(['echo']);
  });

  it('given the plugin, rejects options its configSchema rejects, naming the field', () => {
    expect(() => createTestPluginContext(echoPlugin, { greting: 'typo' })).toThrow(expect.objectContaining({ code: 'PLUGIN_OPTIONS_INVALID', message: expect.stringContaining('greting') }));
  });
});
