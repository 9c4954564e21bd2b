import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineRunRequest, PluginLogger } from '@switchyard/spec';
import { collectStream, runEngineConformance } from '@switchyard/testkit';
import { checkMlxPlatform } from './mlx-availability.js';
import { MlxEngine } from './mlx-engine.js';
import type { MlxPluginOptions } from './mlx-options.js';

const STAND_IN = fileURLToPath(new URL('../test/mlx-stand-in.mjs', import.meta.url));
const prompt = 'one two three four five six seven eight nine ten';
const run = (modelId = 'llama-mlx', extra: Partial<EngineRunRequest> = {}): EngineRunRequest => ({ modelId, workload: 'completion', input: { kind: 'text', prompt }, ...extra });
const signal = () => new AbortController().signal;
const spawnOptions = (extra: Partial<MlxPluginOptions> = {}): MlxPluginOptions => ({
  model: 'mlx-community/stand-in-4bit',
  command: [process.execPath, STAND_IN],
  requireAppleSilicon: false,
  readinessTimeoutMs: 10_000,
  probeIntervalMs: 20,
  restart: { maxRestarts: 3, baseDelayMs: 10, maxDelayMs: 50 },
  stopTimeoutMs: 2000,
  ...extra,
});
function capturingLogger() {
  const lines: { level: string; obj: object | string; msg?: string }[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) });
  const logger: PluginLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

runEngineConformance(() => new MlxEngine(spawnOptions()), {
  name: 'mlx engine conformance (spawned stand-in server)',
  dispose: (engine) => (engine as MlxEngine).close(),
  model: { id: 'llama-mlx', files: {} },
  request: run(),
  checkResult: (result) => expect(result.output).toEqual({ kind: 'text', text: prompt.split(' ').reverse().join(' ') }),
  provokeError: { description: 'a model the server does not have (404)', request: run('missing-model'), codes: ['NO_SUCH_MODEL'] },
});

runEngineConformance(() => new MlxEngine({ model: 'mlx-community/x' }, undefined, { platform: 'linux', arch: 'x64' }), {
  name: 'mlx engine conformance off Apple Silicon (unavailable)',
  model: { id: 'llama-mlx', files: {} },
  request: run(),
  unavailable: { code: 'ENGINE_UNAVAILABLE' },
});

describe('checkMlxPlatform', () => {
  it('accepts darwin-arm64 only, naming the machine otherwise', () => {
    expect(checkMlxPlatform('darwin', 'arm64')).toEqual({ ok: true });
    expect(checkMlxPlatform('darwin', 'x64')).toEqual({ ok: false, reason: 'MLX needs Apple Silicon (darwin-arm64); this machine is darwin-x64' });
    expect(checkMlxPlatform('linux', 'arm64').ok).toBe(false);
  });
});

describe('MlxEngine supervising a stand-in mlx_lm.server', () => {
  const engines: MlxEngine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    delete process.env.STANDIN_IGNORE_SIGTERM;
    delete process.env.STANDIN_EXIT_CODE;
    delete process.env.STANDIN_STARTUP_DELAY_MS;
  });

  it('spawns with --model/--host/--port, waits for /v1/models, runs chat and captures the logs', async () => {
    const { logger, lines } = capturingLogger();
    const engine = new MlxEngine(spawnOptions(), logger);
    engines.push(engine);
    process.env.STANDIN_STARTUP_DELAY_MS = '150';
    await engine.doLoad({ id: 'llama-mlx', files: {} }, signal());
    const result = await engine.doRun(run(), signal());
    expect(result.output).toEqual({ kind: 'text', text: prompt.split(' ').reverse().join(' ') });
    const stdout = () => lines.filter((l) => (l.obj as { stream?: string }).stream === 'stdout').map((l) => l.msg);
    // The configured repo is sent as the OpenAI `model` field (the child's log line arrives through a pipe).
    await expect.poll(stdout).toContain('POST /v1/chat/completions model=mlx-community/stand-in-4bit stream=false');
    expect(stdout()[0]).toBe(`Starting httpd at 127.0.0.1 on port ${new URL(engine.supervisor!.url!).port}...`);
    expect(await engine.health()).toMatchObject({ ok: true, details: { state: 'ready', restarts: 0 } });
  });

  it('restarts the server after it is killed and serves again', async () => {
    const { logger, lines } = capturingLogger();
    const engine = new MlxEngine(spawnOptions(), logger);
    engines.push(engine);
    await engine.doLoad({ id: 'llama-mlx', files: {} }, signal());
    const firstPid = engine.supervisor!.pid!;
    process.kill(firstPid, 'SIGKILL');
    await expect.poll(() => engine.supervisor!.pid !== undefined && engine.supervisor!.pid !== firstPid && engine.supervisor!.state === 'ready', { timeout: 10_000 }).toBe(true);
    const { parts } = await collectStream(engine.doStream(run('llama-mlx', { input: { kind: 'text', prompt: 'x y' } }), signal()));
    expect(parts.filter((p) => p.type === 'delta').map((p) => (p as { text: string }).text).join('')).toBe('y x');
    expect(lines.some((l) => l.msg === 'MLX server exited unexpectedly' && JSON.stringify(l.obj).includes('SIGKILL'))).toBe(true);
    expect(lines.some((l) => l.msg === 'restarting MLX server')).toBe(true);
  });

  it('gives up with ENGINE_UNAVAILABLE after maxRestarts when the server keeps exiting, with its last output', async () => {
    process.env.STANDIN_EXIT_CODE = '3';
    const engine = new MlxEngine(spawnOptions({ restart: { maxRestarts: 2, baseDelayMs: 1, maxDelayMs: 5 } }));
    engines.push(engine);
    const error = await engine.doRun(run(), signal()).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ENGINE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('fatal: cannot load mlx-community/stand-in-4bit');
    expect(await engine.health()).toMatchObject({ ok: false, details: { state: 'failed' } });
  });

  it('stops the server on close, escalating to SIGKILL when SIGTERM is ignored', async () => {
    process.env.STANDIN_IGNORE_SIGTERM = '1';
    const { logger, lines } = capturingLogger();
    const engine = new MlxEngine(spawnOptions({ stopTimeoutMs: 200 }), logger);
    await engine.doLoad({ id: 'llama-mlx', files: {} }, signal());
    const pid = engine.supervisor!.pid!;
    expect(alive(pid)).toBe(true);
    await engine.close();
    expect(alive(pid)).toBe(false);
    expect(lines.some((l) => l.msg === 'MLX server ignored SIGTERM; sending SIGKILL')).toBe(true);
    expect((await engine.doRun(run(), signal()).catch((e: unknown) => e) as SwitchyardError).code).toBe('ENGINE_UNAVAILABLE');
  });

  it('attaches to a running server by url without spawning', async () => {
    const host = new MlxEngine(spawnOptions());
    engines.push(host);
    await host.doLoad({ id: 'llama-mlx', files: {} }, signal());
    const attached = new MlxEngine({ id: 'mlx-attached', url: host.supervisor!.url! });
    expect(attached.supervisor).toBeUndefined();
    await attached.doLoad({ id: 'llama-mlx', files: {}, options: { model: 'mlx-community/stand-in-4bit' } }, signal());
    expect((await attached.doRun(run(), signal())).output).toMatchObject({ kind: 'text' });
    expect(await attached.health()).toMatchObject({ ok: true });
  });

  it('reports a missing python module as unavailable when using the default command', async () => {
    const engine = new MlxEngine({ model: 'm', requireAppleSilicon: false, command: ['python3', '-m', 'mlx_lm.server'] });
    const health = await engine.health();
    if (health.ok) return; // mlx_lm is installed here: nothing to check
    expect(health.reason).toMatch(/mlx_lm|cannot run/);
    expect((await engine.doLoad({ id: 'm', files: {} }, signal()).catch((e: unknown) => e) as SwitchyardError).code).toBe('ENGINE_UNAVAILABLE');
  });
});
