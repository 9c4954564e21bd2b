import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';
import { startServe } from './serve.js';


describe('switchyard serve', () => {
  it('bound to every interface (--host 0.0.0.0 with keys), the banner says so beside the URL it shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-serve-all-'));
    writeFileSync(join(dir, 'switchyard.config.yaml'), 'server:\n  auth:\n    apiKeys: ["k-1"]\n');
    const { server, url, summary } = await startServe({ config: dir, port: '0', host: '0.0.0.0' }, {});
    try {
      expect(summary).toContain(`at ${url} (engines: none, listening on 0.0.0.0: every interface)`);
    } finally {
      await server.close({ deadlineMs: 10 });
    }
  });

  it('serves a config: health, capabilities, the server section applied; close() shuts down', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-serve-'));
    writeFileSync(join(dir, 'switchyard.config.yaml'), 'server:\n  host: 127.0.0.1\n  auth:\n    apiKeys: ["k-1"]\n');
    const { server, url, summary } = await startServe({ config: dir, port: '0' }, {});
    try {
      expect(summary).toContain(`at ${url}`);
      expect(summary).not.toContain('every interface');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/v2/meta/capabilities`)).status).toBe(401);
      const capabilities = await fetch(`${url}/v2/meta/capabilities`, { headers: { authorization: 'Bearer k-1' } });
      expect(await capabilities.json()).toMatchObject({ api_version: '2', engines: [] });
    } finally {
      await server.close({ deadlineMs: 10 });
    }
  });

  it('fails with a located error for a missing config or a bad port', async () => {
    const missing = await runCli(['serve', '--config', join(tmpdir(), 'no-such-dir-xyz', 'switchyard.config.yaml')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain('CONFIG_NOT_FOUND');
    const badPort = await runCli(['serve', '--config', '.', '--port', 'eighty']);
    expect(badPort.exitCode).toBe(1);
    expect(badPort.err).toContain("INVALID_PARAMS: --port must be an integer 0..65535, found 'eighty'");
  });
});

describe('serve and worker default to the config in the current folder, as the other commands do', () => {
  it('serve, worker and validate without a config name read ./switchyard.config.yaml (it was "required option -c")', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-serve-default-'));
    writeFileSync(join(root, 'switchyard.config.yaml'), 'server:\n  host: 0.0.0.0\n');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const located = "CONFIG_INVALID: switchyard.config.yaml:2:9: /server/host: server.host '0.0.0.0' is not a loopback address";
      const serve = await runCli(['serve']);
      expect(serve.exitCode).toBe(1);
      expect(serve.err).toContain(located);
      expect((await runCli(['validate'])).err).toContain(located);
      writeFileSync(join(root, 'switchyard.config.yaml'), 'version: 1\n');
      const worker = await runCli(['worker']);
      expect(worker.exitCode).toBe(1);
      expect(worker.err).toContain('CONFIG_INVALID: switchyard.config.yaml: switchyard worker needs queue.redis');
      // -c still names another one; an empty one is refused (it would mean "not given").
      const named = await runCli(['worker', '-c', 'nope']);
      expect(named.err).toContain('CONFIG_NOT_FOUND');
      for (const command of ['serve', 'worker']) {
        const empty = await runCli([command, '--config', '']);
        expect(empty.err).toContain("option '-c, --config <file>' argument '' is invalid. must not be empty.");
      }
      // No config here: said by the folder, as validate says it.
      process.chdir(mkdtempSync(join(tmpdir(), 'cli-serve-none-')));
      const none = await runCli(['serve']);
      expect(none.exitCode).toBe(1);
      expect(none.err).toContain('CONFIG_NOT_FOUND: No config file in . (looked for switchyard.config.yaml, switchyard.config.yml, switchyard.config.json)');
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('server-section errors', () => {
  it('a non-loopback --host without API keys is named by --host, not located at /server/host of the config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-serve-host-'));
    writeFileSync(join(dir, 'switchyard.config.yaml'), 'server:\n  port: 0\n');
    const run = await runCli(['serve', '--config', dir, '--host', '0.0.0.0']);
    expect(run.exitCode).toBe(1);
    expect(run.err).toBe("CONFIG_INVALID: --host: bind address '0.0.0.0' is not a loopback address and auth is off: set server.auth.apiKeys (or SWITCHYARD_API_KEYS), or bind 127.0.0.1\n");
    // Written in the config, the same address is located there.
    writeFileSync(join(dir, 'switchyard.config.yaml'), 'server:\n  host: 0.0.0.0\n');
    const fromConfig = await runCli(['serve', '--config', dir]);
    expect(fromConfig.err).toContain(`CONFIG_INVALID: ${join(dir, 'switchyard.config.yaml')}:2:9: /server/host: server.host '0.0.0.0' is not a loopback address`);
  });

  it('serve and validate name the config file as the user typed it: relative to the current folder, or absolute', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-serve-named-'));
    mkdirSync(join(root, 'app'));
    writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'server:\n  host: 0.0.0.0\n');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const serve = await runCli(['serve', '--config', 'app']);
      expect(serve.err).toBe("CONFIG_INVALID: app/switchyard.config.yaml:2:9: /server/host: server.host '0.0.0.0' is not a loopback address and auth is off: set server.auth.apiKeys (or SWITCHYARD_API_KEYS), or bind 127.0.0.1\n");
      const validate = await runCli(['validate', 'app']);
      expect(validate.err).toContain('CONFIG_INVALID: app/switchyard.config.yaml:2:9: /server/host:');
      writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'server:\n  port: "80"\n');
      const schema = await runCli(['validate', '--no-plugins', 'app']);
      expect(schema.err).toBe('CONFIG_INVALID: app/switchyard.config.yaml:2:9: /server/port: expected integer, found string "80"\n');
      writeFileSync(join(root, 'app', 'switchyard.config.yaml'), 'server:\n  port: 0\n');
      expect((await runCli(['validate', 'app'])).out).toBe('app/switchyard.config.yaml: ok (0 plugins, 0 engines)\n');
      expect((await runCli(['validate', join(root, 'app')])).out).toBe(`${join(root, 'app', 'switchyard.config.yaml')}: ok (0 plugins, 0 engines)\n`);
    } finally {
      process.chdir(cwd);
    }
  });

  it('every bad server.models entry in one CONFIG_INVALID, each located, refused before the dataDir is created', async () => {
    // It opened <dataDir>/state.db first and named only server.models[0].
    const dir = mkdtempSync(join(tmpdir(), 'cli-serve-models-'));
    const config = ['server:', '  port: 0', '  dataDir: state', '  models:', '    - id: auto', '    - id: nosuch:thing', '      ownedBy: onnx', ''];
    writeFileSync(join(dir, 'switchyard.config.yaml'), config.join('\n'));
    const error = await startServe({ config: dir, port: '0' }, {}).catch((e: unknown) => e);
    const file = join(dir, 'switchyard.config.yaml');
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { file, errors: [{ pointer: '/server/models/0/id', line: 5 }, { pointer: '/server/models/1/id', line: 6 }, { pointer: '/server/models/1/ownedBy', line: 7 }] } });
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid config .*switchyard\.config\.yaml \(3 errors\):\n/);
    expect(message).toMatch(/\n {2}.*switchyard\.config\.yaml:5:\d+: \/server\/models\/0\/id: 'auto' is not a route \(routes: none\)/);
    expect(message).toMatch(/\n {2}.*switchyard\.config\.yaml:6:\d+: \/server\/models\/1\/id: 'nosuch:thing' names engine 'nosuch', which no plugin registered/);
    expect(message).toMatch(/\n {2}.*switchyard\.config\.yaml:7:\d+: \/server\/models\/1\/ownedBy: no plugin registered an engine 'onnx'/);
    expect(existsSync(join(dir, 'state'))).toBe(false);
    expect(existsSync(join(dir, '.switchyard'))).toBe(false);
    const run = await runCli(['serve', '--config', dir]);
    expect(run.exitCode).toBe(1);
    expect(run.err).toMatch(/^CONFIG_INVALID: Invalid config .* \(3 errors\):\n/);
    expect(existsSync(join(dir, 'state'))).toBe(false);
  });

  it('queue with retention.maxTasks is CONFIG_INVALID located file:line:col, like other config errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-serve-retention-'));
    writeFileSync(join(dir, 'switchyard.config.yaml'), ['queue:', '  redis: redis://127.0.0.1:1', 'server:', '  retention:', '    maxTasks: 10', ''].join('\n'));
    const error = await startServe({ config: dir, port: '0' }, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { pointer: '/server/retention/maxTasks', line: 5 } });
    expect((error as Error).message).toMatch(/switchyard\.config\.yaml:5:\d+: \/server\/retention\/maxTasks: server\.retention\.maxTasks is not applied with queue\.redis/);
  });
});

describe('telemetry.logLevel', () => {
  it('serve logs at telemetry.logLevel (it was always info): error and silent print no info lines', async () => {
    for (const level of ['error', 'silent', 'debug'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'cli-serve-level-'));
      writeFileSync(join(dir, 'switchyard.config.yaml'), `telemetry:\n  logLevel: ${level}\nserver:\n  dataDir: false\n`);
      const { server } = await startServe({ config: dir, port: '0' }, {});
      try {
        expect(server.app.log.level).toBe(level);
        expect((server.app.log as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled('info')).toBe(level === 'debug');
      } finally {
        await server.close({ deadlineMs: 10 });
      }
    }
  });
});

describe('--port and --host are parsed strictly', () => {
  it('a port is a decimal integer 0..65535 (0x50 bound port 80); an empty --host is refused naming --host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-serve-flags-'));
    writeFileSync(join(dir, 'switchyard.config.yaml'), 'server:\n  dataDir: false\n');
    for (const port of ['0x50', '1e3', ' 80', '80.0', '-1', '65536', '+80', '0b1', '']) {
      const run = await runCli(['serve', '--config', dir, '--port', port]);
      expect(run.exitCode, port).toBe(1);
      expect(run.err, port).toBe(`INVALID_PARAMS: --port must be an integer 0..65535, found '${port}'\n`);
    }
    const env = await startServe({ config: dir }, { PORT: '0x50' }).catch((e: unknown) => e);
    expect((env as Error).message).toBe("PORT must be an integer 0..65535, found '0x50'");
    for (const host of ['', '  ']) {
      const run = await runCli(['serve', '--config', dir, '--port', '0', '--host', host]);
      expect(run.exitCode).toBe(1);
      expect(run.err).toBe(`INVALID_PARAMS: --host must be a bind address (e.g. 127.0.0.1, or 0.0.0.0 with API keys), found '${host}'\n`);
    }
  });
});
