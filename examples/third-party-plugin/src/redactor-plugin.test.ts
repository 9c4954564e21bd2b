import { describe, expect, it } from 'vitest';
import type { EngineV1, PluginContext } from '@switchyard/core';
import plugin, { VERSION } from './index.js';
import type { RedactorOptions } from './index.js';

describe('example third-party plugin manifest', () => {
  it('declares name, version, core range and ships its options schema', () => {
    expect({ name: plugin.name, version: plugin.version, core: plugin.core }).toEqual({ name: '@switchyard/example-third-party-plugin', version: VERSION, core: '^0.1.0' });
    expect(plugin.configSchema).toMatchObject({ type: 'object', additionalProperties: false });
  });

  it('registers its engine under the configured id', async () => {
    const engines: EngineV1[] = [];
    const noop = () => undefined;
    const context: PluginContext<RedactorOptions> = {
      options: { id: 'redactor', entities: ['email'] },
      coreVersion: '0.1.0',
      logger: { debug: noop, info: noop, warn: noop, error: noop },
      container: { isRegistered: () => false, registerInstance: noop, resolve: () => undefined as never, resolveAll: () => [] },
      registerEngine: (engine) => engines.push(engine),
      baseDir: '.',
    };
    await plugin.register(context);
    expect(engines.map((e) => e.id)).toEqual(['redactor']);
  });
});
