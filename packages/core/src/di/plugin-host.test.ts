import { createAppContainer, inject, injectAll, injectable } from './container.js';
import { container as globalContainer } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import { SwitchyardError, TOKENS } from '@switchyard/spec';
import { checkCoreRange, PluginHost } from './plugin-host.js';
import { orderByDependencies } from './plugin-order.js';
import { fakeEngine, recordingPlugin, silentLogger } from '../../test/plugin-fixtures.js';
import type { EngineV1 } from '@switchyard/spec';

function newHost(coreVersion = '0.1.0') {
  const container = createAppContainer();
  return { container, host: new PluginHost({ container, logger: silentLogger, baseDir: '/tmp', coreVersion }) };
}

async function startError(host: PluginHost, ...args: Parameters<PluginHost['start']>): Promise<SwitchyardError> {
  try {
    await host.start(...args);
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected start to fail');
}

describe('lifecycle order', () => {
  it('registers and initializes in dependency order and shuts down in reverse', async () => {
    const log: string[] = [];
    const { host } = newHost();
    await host.start([
      { plugin: recordingPlugin('router', log, { dependsOn: ['onnx', 'cloud'] }) },
      { plugin: recordingPlugin('onnx', log) },
      { plugin: recordingPlugin('cloud', log, { dependsOn: ['onnx'] }) },
    ]);
    expect(log).toEqual(['register:onnx', 'register:cloud', 'register:router', 'initialize:onnx', 'initialize:cloud', 'initialize:router']);
    log.length = 0;
    await host.shutdown();
    expect(log).toEqual(['shutdown:router', 'shutdown:cloud', 'shutdown:onnx']);
    await host.shutdown();
    expect(log).toHaveLength(3);
  });

  it('keeps the given order for independent plugins', () => {
    const order = orderByDependencies([{ name: 'c' }, { name: 'a' }, { name: 'b', dependsOn: ['c'] }]);
    expect(order.map((p) => p.name)).toEqual(['c', 'a', 'b']);
  });

  it('wraps a failing initialize naming the plugin and hook, and shuts down what had registered', async () => {
    const log: string[] = [];
    const { host } = newHost();
    const error = await startError(host, [{ plugin: recordingPlugin('a', log) }, { plugin: recordingPlugin('b', log, { fail: 'initialize' }) }]);
    expect(error.code).toBe('PLUGIN_HOOK_FAILED');
    expect(error.message).toBe("error in 'initialize' of plugin 'b': b initialize broke");
    expect((error.cause as Error).message).toBe('b initialize broke');
    expect(error.details).toEqual({ plugin: 'b', hook: 'initialize' });
    expect(log).toEqual(['register:a', 'register:b', 'initialize:a', 'initialize:b', 'shutdown:b', 'shutdown:a']);
  });

  it('wraps a failing register and never initializes anything', async () => {
    const log: string[] = [];
    const { host } = newHost();
    const error = await startError(host, [{ plugin: recordingPlugin('a', log) }, { plugin: recordingPlugin('b', log, { fail: 'register' }) }]);
    expect(error.message).toBe("error in 'register' of plugin 'b': b register broke");
    expect(log).toEqual(['register:a', 'register:b', 'shutdown:a']);
  });

  it('runs every shutdown even when some fail, then reports all failures', async () => {
    const log: string[] = [];
    const { host } = newHost();
    await host.start([
      { plugin: recordingPlugin('a', log, { fail: 'shutdown' }) },
      { plugin: recordingPlugin('b', log) },
      { plugin: recordingPlugin('c', log, { fail: 'shutdown' }) },
    ]);
    log.length = 0;
    const error = await host.shutdown().then(
      () => undefined,
      (e: unknown) => e as SwitchyardError,
    );
    expect(log).toEqual(['shutdown:c', 'shutdown:b', 'shutdown:a']);
    expect(error?.code).toBe('PLUGIN_HOOK_FAILED');
    expect(error?.message).toContain("error in 'shutdown' of plugin 'c': c shutdown broke");
    expect(error?.message).toContain("error in 'shutdown' of plugin 'a': a shutdown broke");
    expect((error?.cause as AggregateError).errors).toHaveLength(2);
  });
});

describe('dependencies', () => {
  it('refuses a missing dependency with PLUGIN_DEPENDENCY_MISSING', async () => {
    const { host } = newHost();
    const error = await startError(host, [{ plugin: recordingPlugin('router', [], { dependsOn: ['onnx'] }) }]);
    expect(error.code).toBe('PLUGIN_DEPENDENCY_MISSING');
    expect(error.message).toContain("plugin 'router' depends on plugin 'onnx', which is not loaded");
  });

  it('refuses a cycle and names it', async () => {
    const { host } = newHost();
    const error = await startError(host, [
      { plugin: recordingPlugin('a', [], { dependsOn: ['b'] }) },
      { plugin: recordingPlugin('b', [], { dependsOn: ['c'] }) },
      { plugin: recordingPlugin('c', [], { dependsOn: ['a'] }) },
    ]);
    expect(error.code).toBe('PLUGIN_DEPENDENCY_MISSING');
    expect(error.message).toBe('plugin dependencies form a cycle: a -> b -> c -> a');
  });
});

describe('core version ranges', () => {
  it.each([
    ['^0.1.0', '0.1.0', true],
    ['^0.1.0', '0.1.9', true],
    ['^0.1.0', '0.2.0', false],
    ['>=0.1.0 <1', '0.9.0', true],
    ['^1.0.0', '0.1.0', false],
    ['^0.2.0-beta.1', '0.2.0-beta.3', true],
  ])('range %s with core %s -> %s', (core, version, ok) => {
    const check = () => checkCoreRange({ name: 'p', core }, version);
    if (ok) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ code: 'PLUGIN_VERSION_MISMATCH', message: `plugin 'p' needs @switchyard/core ${core}, but this is ${version}` }));
  });

  it('refuses an invalid range', () => {
    expect(() => checkCoreRange({ name: 'p', core: 'banana' }, '0.1.0')).toThrow(expect.objectContaining({ code: 'PLUGIN_VERSION_MISMATCH', message: expect.stringContaining('"banana", which is not a valid semver range') }));
  });

  it('refuses to start a plugin built for another core before registering anything', async () => {
    const log: string[] = [];
    const { host } = newHost('0.1.0');
    const error = await startError(host, [{ plugin: recordingPlugin('ok', log) }, { plugin: recordingPlugin('old', log, { core: '^2.0.0' }) }]);
    expect(error.code).toBe('PLUGIN_VERSION_MISMATCH');
    expect(log).toEqual([]);
  });
});

describe('options', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    properties: { threads: { type: 'integer', minimum: 1, default: 4 }, provider: { type: 'string', enum: ['cpu', 'cuda'] } },
  };

  it('applies schema defaults and hands the options to register', async () => {
    let seen: unknown;
    const { host } = newHost();
    await host.start([{ plugin: recordingPlugin('onnx', [], { configSchema: schema, register: (c) => void (seen = c.options) }), options: { provider: 'cpu' } }]);
    expect(seen).toEqual({ provider: 'cpu', threads: 4 });
    expect(host.plugins[0]!.options).toEqual({ provider: 'cpu', threads: 4 });
  });

  it('refuses invalid options naming the plugin and the pointer in the config', async () => {
    const { host } = newHost();
    const error = await startError(host, [
      { plugin: recordingPlugin('onnx', [], { configSchema: schema }), options: { threads: 0, provider: 'tpu' }, file: 'app.yaml', pointer: '/plugins/1' },
    ]);
    expect(error.code).toBe('PLUGIN_OPTIONS_INVALID');
    expect(error.message).toContain("Invalid options for plugin 'onnx'");
    expect(error.message).toContain('app.yaml: /plugins/1/options/threads: expected a number >= 1, found integer 0');
    expect(error.message).toContain('app.yaml: /plugins/1/options/provider: expected one of "cpu", "cuda", found string "tpu"');
    expect(error.details.plugin).toBe('onnx');
  });
});

describe('registrations', () => {
  it('puts every engine under TOKENS.Engine so injectAll finds them', async () => {
    const { host, container } = newHost();
    await host.start([{ plugin: recordingPlugin('a', [], { engines: ['onnx'] }) }, { plugin: recordingPlugin('b', [], { engines: ['openai', 'anthropic'] }) }]);

    const CLOCK = Symbol('test.Clock');
    @injectable()
    class EngineDirectory {
      constructor(@injectAll(TOKENS.Engine) readonly engines: EngineV1[], @inject(CLOCK) readonly clock: { now(): number }) {}
    }
    container.registerInstance(CLOCK, { now: () => 1 });
    const directory = container.resolve(EngineDirectory);
    expect(directory.engines.map((e) => e.id)).toEqual(['onnx', 'openai', 'anthropic']);
    expect(host.plugins.map((p) => [p.name, p.engines])).toEqual([
      ['a', ['onnx']],
      ['b', ['openai', 'anthropic']],
    ]);
    expect(globalContainer.isRegistered(TOKENS.Engine)).toBe(false);
  });

  it("refuses an engine id another plugin owns", async () => {
    const { host } = newHost();
    const error = await startError(host, [{ plugin: recordingPlugin('a', [], { engines: ['onnx'] }) }, { plugin: recordingPlugin('b', [], { engines: ['onnx'] }) }]);
    expect(error.code).toBe('PLUGIN_REGISTRATION_CONFLICT');
    expect(error.message).toBe("plugin 'b' cannot register engine 'onnx': it is already registered by plugin 'a'");
  });

  it("refuses a token another plugin owns, but lets a plugin replace its own", async () => {
    const token = Symbol.for('switchyard.test.Cache');
    const { host, container } = newHost();
    const first = recordingPlugin('a', [], {
      register: (c) => {
        c.container.registerInstance(token, 1);
        c.container.registerInstance(token, 2);
      },
    });
    const second = recordingPlugin('b', [], { register: (c) => c.container.registerInstance(token, 3) });
    const error = await startError(host, [{ plugin: first }, { plugin: second }]);
    expect(error.message).toBe("plugin 'b' cannot register Symbol(switchyard.test.Cache): it is already registered by plugin 'a'");
    expect(container.resolve(token)).toBe(2);
  });

  it('refuses overwriting what the app registered', async () => {
    const { host } = newHost();
    host.registerInstance(TOKENS.AppConfig, {});
    const error = await startError(host, [{ plugin: recordingPlugin('evil', [], { register: (c) => c.container.registerInstance(TOKENS.AppConfig, { hacked: true }) }) }]);
    expect(error.code).toBe('PLUGIN_REGISTRATION_CONFLICT');
    expect(error.message).toContain('already registered by the app');
  });

  it('refuses engines registered as plain instances and malformed engines', async () => {
    const { host } = newHost();
    const error = await startError(host, [{ plugin: recordingPlugin('p', [], { register: (c) => c.container.registerInstance(TOKENS.Engine, fakeEngine('x')) }) }]);
    expect(error.message).toContain('must register engines with registerEngine()');

    const second = newHost().host;
    const broken = { ...fakeEngine('half'), specificationVersion: 'v2', doRun: undefined } as unknown as EngineV1;
    const malformed = await startError(second, [{ plugin: recordingPlugin('p', [], { register: (c) => c.registerEngine(broken) }) }]);
    expect(malformed.code).toBe('PLUGIN_HOOK_FAILED');
    expect(malformed.message).toContain("invalid engine 'half': specificationVersion must be 'v1' (found \"v2\"); doRun must be a function");

    // A textInputs that names no shape (or a shape that does not exist) would be read differently by each check.
    for (const textInputs of [[], ['chat'], 'prompt']) {
      const engine = fakeEngine('shapes');
      const declared = { ...engine, capabilities: { ...engine.capabilities, textInputs } } as unknown as EngineV1;
      const refused = await startError(newHost().host, [{ plugin: recordingPlugin('p', [], { register: (c) => c.registerEngine(declared) }) }]);
      expect(refused.message).toContain(`invalid engine 'shapes': capabilities.textInputs must be a non-empty array of 'prompt' and/or 'messages' (found ${JSON.stringify(textInputs)})`);
    }
  });

  it('refuses the same plugin loaded twice', async () => {
    const { host } = newHost();
    const error = await startError(host, [
      { plugin: recordingPlugin('a', []), specifier: './a.js' },
      { plugin: recordingPlugin('a', []), specifier: 'a-pkg' },
    ]);
    expect(error.code).toBe('PLUGIN_REGISTRATION_CONFLICT');
    expect(error.message).toBe("plugin 'a' is loaded twice (from './a.js' and 'a-pkg')");
  });

  it('resolveAll returns [] for a token nobody registered', async () => {
    let all: unknown[] | undefined;
    const { host } = newHost();
    await host.start([{ plugin: recordingPlugin('a', [], { register: (c) => void (all = c.container.resolveAll(Symbol.for('switchyard.test.None'))) }) }]);
    expect(all).toEqual([]);
  });
});
