import 'reflect-metadata';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingPlugin, rejection, silentLogger } from '../../test/plugin-fixtures.js';
import { SwitchyardError, TOKENS } from '@switchyard/spec';
import { createSwitchyardApp } from './create-app.js';
import { loadConfig } from '../config/load-config.js';
import { container as globalContainer } from 'tsyringe';
import { ECHO_PLUGIN_SOURCE, writeFixture } from '../../test/app-fixtures.js';

let dir: string;

beforeAll(async () => {
  dir = await writeFixture({
    'echo-plugin.mjs': ECHO_PLUGIN_SOURCE,
    'switchyard.config.yaml': 'version: 1\nplugins:\n  - package: ./echo-plugin.mjs\n    options:\n      greeting: ${env:GREETING:-hello}\n',
    'bad-options.yaml': 'plugins:\n  - package: ./echo-plugin.mjs\n    options:\n      greeting: 5\n      loud: true\n',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createSwitchyardApp', () => {
  it('loads plugins from a config file and exposes their engines', async () => {
    const app = await createSwitchyardApp({ configPath: dir, env: { GREETING: 'bonjour' }, logger: silentLogger });
    try {
      expect(app.configFile).toBe(join(dir, 'switchyard.config.yaml'));
      expect(app.plugins.map((p) => [p.name, p.version, p.engines])).toEqual([['echo', '1.2.3', ['echo']]]);
      const result = await app.getEngine('echo').doRun({ modelId: 'm', workload: 'completion', input: { kind: 'text', prompt: 'x' } }, new AbortController().signal);
      expect(result.output).toEqual({ kind: 'text', text: 'bonjour' });
      expect(app.container.resolveAll(TOKENS.Engine)).toEqual(app.engines);
      expect(app.container.resolve(TOKENS.AppConfig)).toBe(app.config);
      expect(globalContainer.isRegistered(TOKENS.AppConfig)).toBe(false);
      // Every token is real: all are registered by a plain app (ModelRegistry only when a registry is given).
      for (const [name, token] of Object.entries(TOKENS)) {
        if (name !== 'ModelRegistry') expect(app.container.isRegistered(token, true), name).toBe(true);
      }
    } finally {
      await app.shutdown();
    }
  });

  it('reports plugin option errors with the config file line and pointer', async () => {
    const error = await rejection<SwitchyardError>(createSwitchyardApp({ configPath: join(dir, 'bad-options.yaml'), logger: silentLogger }));
    expect(error).toMatchObject({ code: 'PLUGIN_OPTIONS_INVALID' });
    const file = join(dir, 'bad-options.yaml');
    expect(error.message).toContain(`${file}:4:17: /plugins/0/options/greeting: expected string, found integer 5`);
    expect(error.message).toContain(`${file}:5:7: /plugins/0/options/loud: expected one of the known keys (greeting), found unknown key "loud"`);
  });

  it('an in-memory config from a file (configFile) resolves plugins next to that file and has their option errors located in it', async () => {
    const file = join(dir, 'bad-options.yaml');
    const { config } = await loadConfig(file);
    const error = await rejection<SwitchyardError>(createSwitchyardApp({ config, configFile: file, logger: silentLogger }));
    expect(error).toMatchObject({ code: 'PLUGIN_OPTIONS_INVALID' });
    expect(error.message).toContain(`${file}:4:17: /plugins/0/options/greeting: expected string, found integer 5`);
  });

  it('configFile: a folder is resolved like loadConfig resolves one (its switchyard.config.*): models.dirs, app.configFile and baseDir from that file', async () => {
    const root = await writeFixture({ 'app/switchyard.config.yaml': 'models:\n  dirs: [models]\n' });
    try {
      await mkdir(join(root, 'app', 'models'));
      const { config } = await loadConfig(join(root, 'app'));
      const app = await createSwitchyardApp({ config, configFile: join(root, 'app'), logger: silentLogger });
      await app.shutdown();
      expect(app.configFile).toBe(join(root, 'app', 'switchyard.config.yaml'));
      expect(app.baseDir).toBe(join(root, 'app'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('configFile: a folder typed relative is named as typed plus the file, with line and column (the file is read)', async () => {
    const folder = relative(process.cwd(), dir);
    const { config } = await loadConfig(dir, { env: {} });
    const bad = { ...config, plugins: [{ package: './echo-plugin.mjs', options: { greeting: 5 } }] } as never;
    const error = await rejection<SwitchyardError>(createSwitchyardApp({ config: bad, configFile: folder, logger: silentLogger }));
    expect(error.message).toContain(`${join(folder, 'switchyard.config.yaml')}:5:17: /plugins/0/options/greeting: expected string, found integer 5`);
  });

  it('configFile that does not exist (or a folder without a config file) is refused, naming configFile', async () => {
    await expect(createSwitchyardApp({ config: {}, configFile: join(dir, 'nope.yaml'), logger: silentLogger })).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      message: `createSwitchyardApp({ configFile }): Config file ${join(dir, 'nope.yaml')} does not exist`,
      details: { field: 'configFile', file: join(dir, 'nope.yaml') },
    });
    const empty = await writeFixture({ 'other.txt': '' });
    try {
      await expect(createSwitchyardApp({ config: {}, configFile: empty, logger: silentLogger })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: expect.stringMatching(/^createSwitchyardApp\(\{ configFile \}\): No config file in /) });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it.skipIf(process.platform !== 'linux')('configFile that cannot be read is refused, naming configFile', async () => {
    await expect(createSwitchyardApp({ config: {}, configFile: '/proc/self/mem', logger: silentLogger })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND', message: 'createSwitchyardApp({ configFile }): Cannot read config file /proc/self/mem: EIO' });
  });

  it('configPath with configFile (or config, baseDir) is refused naming both, not accepted and ignored', async () => {
    await expect(createSwitchyardApp({ configPath: dir, configFile: join(dir, 'bad-options.yaml'), logger: silentLogger })).rejects.toMatchObject({
      code: 'INVALID_PARAMS',
      message: expect.stringMatching(/^createSwitchyardApp\(\{ configPath, configFile \}\): give configPath .* not both$/),
    });
    await expect(createSwitchyardApp({ configPath: dir, config: {}, baseDir: dir, logger: silentLogger })).rejects.toMatchObject({ message: expect.stringContaining('createSwitchyardApp({ configPath, config, baseDir })') });
  });

  it('accepts programmatic plugins and gives each app its own container', async () => {
    const log: string[] = [];
    const first = await createSwitchyardApp({ config: {}, plugins: [recordingPlugin('a', log, { engines: ['e1'] })], logger: silentLogger });
    const second = await createSwitchyardApp({ config: {}, plugins: [{ plugin: recordingPlugin('a', log, { engines: ['e1'] }), options: {} }], logger: silentLogger });
    expect(first.container).not.toBe(second.container);
    expect(first.getEngine('e1')).not.toBe(second.getEngine('e1'));
    await first.shutdown();
    await second.shutdown();
    expect(log.filter((l) => l.startsWith('shutdown'))).toEqual(['shutdown:a', 'shutdown:a']);
  });

  it('throws NO_SUCH_ENGINE listing the registered engines', async () => {
    const app = await createSwitchyardApp({ config: {}, plugins: [recordingPlugin('a', [], { engines: ['onnx', 'openai'] })], logger: silentLogger });
    expect(() => app.getEngine('mlx')).toThrow("No engine 'mlx' is registered (registered: onnx, openai)");
    await app.shutdown();
  });

  it('validates an in-memory config like a file', async () => {
    const error = await rejection<SwitchyardError>(createSwitchyardApp({ config: { server: { port: 'x' } } as never, logger: silentLogger }));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(error.message).toContain('<config object>: /server/port: expected integer, found string "x"');
  });

  it('runs extensions after plugins and shuts them down first; their services resolve from the app', async () => {
    const log: string[] = [];
    const service = { run: () => 'ok' };
    const token = Symbol.for('switchyard.test.Service');
    const app = await createSwitchyardApp({
      config: {},
      plugins: [recordingPlugin('p', log, { engines: ['e'] })],
      logger: silentLogger,
      extensions: [
        {
          name: 'service',
          setup(context) {
            log.push(`setup:service:${context.engines.map((e) => e.id).join(',')}`);
            context.registerInstance(token, service);
          },
          shutdown() {
            log.push('shutdown:service');
          },
        },
      ],
    });
    expect(app.tryResolve(token)).toBe(service);
    expect(app.tryResolve(Symbol.for('switchyard.test.Unregistered'))).toBeUndefined();
    await app.shutdown();
    await app.shutdown();
    expect(log).toEqual(['register:p', 'initialize:p', 'setup:service:e', 'shutdown:service', 'shutdown:p']);
  });

  it('shuts plugins down when an extension fails to start', async () => {
    const log: string[] = [];
    const error = await rejection(
      createSwitchyardApp({
        config: {},
        plugins: [recordingPlugin('p', log)],
        logger: silentLogger,
        extensions: [{ name: 'broken', setup: () => { throw new Error('no'); } }],
      }),
    );
    expect(error.message).toBe('no');
    expect(log).toEqual(['register:p', 'initialize:p', 'shutdown:p']);
  });
});
