import { describe, expect, it } from 'vitest';
import { createTestPluginContext } from '@switchyard/testkit';
import plugin, { VERSION } from './index.js';
import type { RedactorOptions } from './index.js';

describe('example third-party plugin manifest', () => {
  it('declares name, version, core range and ships its options schema', () => {
    expect({ name: plugin.name, version: plugin.version, core: plugin.core }).toEqual({ name: '@switchyard/example-third-party-plugin', version: VERSION, core: '^0.1.0' });
    expect(plugin.configSchema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('registers its engine under the configured id', async () => {
    const { context, engines } = createTestPluginContext(plugin, { id: 'redactor', entities: ['email'] } satisfies RedactorOptions);
    await plugin.register(context);
    expect(engines.map((e) => e.id)).toEqual(['redactor']);
  });

  it('gets the configSchema defaults the host applies (no options at all)', async () => {
    const { context, engines, logs } = createTestPluginContext(plugin);
    await plugin.register(context);
    expect(engines.map((e) => e.id)).toEqual([context.options.id]);
    expect(typeof context.options.id).toBe('string');
    expect(logs.some((line) => line.includes('PII redactor registered'))).toBe(true);
  });
});
