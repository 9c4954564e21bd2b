import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTestPluginContext } from '@switchyard/testkit';
import plugin, { VERSION, createMlxPlugin, MlxEngine } from './index.js';
import type { MlxPluginOptions } from './index.js';

const STAND_IN = fileURLToPath(new URL('../test/mlx-stand-in.mjs', import.meta.url));

describe('plugin-mlx manifest', () => {
  it('exports name, version, core range and a schema requiring url or model', () => {
    expect({ name: plugin.name, version: plugin.version, core: plugin.core }).toEqual({ name: '@switchyard/plugin-mlx', version: VERSION, core: '^0.1.0' });
    expect(plugin.configSchema).toMatchObject({ oneOf: [{ required: ['url'] }, { required: ['model'] }] });
  });

  it('registers one engine and stops the server it spawned on shutdown', async () => {
    const { context, engines } = createTestPluginContext<MlxPluginOptions>({ id: 'mlx-local', model: 'mlx-community/stand-in', command: [process.execPath, STAND_IN], requireAppleSilicon: false, probeIntervalMs: 20 });
    const instance = createMlxPlugin();
    await instance.register(context);
    const engine = engines[0] as MlxEngine;
    expect(engine.id).toBe('mlx-local');
    await engine.doLoad({ id: 'chat', files: {} }, new AbortController().signal);
    const pid = engine.supervisor!.pid!;
    await instance.shutdown?.();
    expect(engine.supervisor!.state).toBe('stopped');
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('refuses options with neither url nor model, naming the field', () => {
    expect(() => new MlxEngine({})).toThrow(expect.objectContaining({ code: 'PLUGIN_OPTIONS_INVALID', details: expect.objectContaining({ pointer: '/url' }) }));
  });
});
