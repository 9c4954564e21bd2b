import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisSkipReason, startRedis, type TestRedis } from '@switchyard/queue-bullmq/test';
import { runCli } from '../../test/run-cli.js';

const skip = redisSkipReason();
const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../../examples/distributed', import.meta.url));
let redis: TestRedis | undefined;
const children: ChildProcess[] = [];

/** Starts `switchyard <args>` as a real process and resolves with the first stdout line matching `ready`. */
function launch(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SWITCHYARD_REDIS_URL: redis!.url, SWITCHYARD_QUEUE_PREFIX: 'cli', PORT: '0' },
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) resolve({ child, match });
    });
    child.once('exit', (code) => reject(new Error(`switchyard ${args[0]} exited (${code}): ${err}`)));
  });
}

beforeAll(async () => {
  if (!skip) redis = await startRedis();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
});

describe('switchyard worker', () => {
  it('without queue.redis: a clear CONFIG_INVALID naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-worker-'));
    writeFileSync(join(dir, 'switchyard.config.yaml'), 'version: 1\n');
    const { err, exitCode } = await runCli(['worker', '--config', dir]);
    expect(exitCode).toBe(1);
    expect(err).toContain('CONFIG_INVALID');
    expect(err).toContain('switchyard worker needs queue.redis');
  });

  it.skipIf(skip !== undefined)(`README's three commands: 1 API node + 2 workers over real Redis run an ONNX task; drain and SIGTERM leave${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const [w1, w2] = await Promise.all([launch(['worker', '-c', EXAMPLE], /switchyard worker (\S+) serving/), launch(['worker', '-c', EXAMPLE], /switchyard worker (\S+) serving/)]);
    const api = await launch(['serve', '-c', EXAMPLE], /at (http:\/\/\S+) \(/);
    const url = api.match[1]!;
    const pools = (await (await fetch(`${url}/v2/pools`)).json()) as { mode: string; workers: { id: string; engines: string[] }[] };
    expect(pools.mode).toBe('redis');
    expect(pools.workers.map((worker) => worker.id).sort()).toEqual([w1.match[1], w2.match[1]].sort());
    expect(pools.workers[0]!.engines).toContain('onnx');

    const response = await fetch(`${url}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model_ref: 'xybrid-minilm', inputs: { texts: ['scale out'] } }),
    });
    const events = await response.text();
    expect(events).toContain('event: end');
    expect(events).toContain('"dims":[1,16]');

    // Drain one worker through the API, stop the other with SIGTERM: both finish and leave the registry.
    expect((await fetch(`${url}/v2/pools/${w1.match[1]}/drain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(202);
    w2.child.kill('SIGTERM');
    const codes = await Promise.all([w1, w2].map(({ child }) => (child.exitCode !== null ? child.exitCode : new Promise((resolve) => child.once('exit', resolve)))));
    expect(codes).toEqual([0, 0]);
    const after = (await (await fetch(`${url}/v2/pools`)).json()) as { workers: unknown[] };
    expect(after.workers).toEqual([]);
    api.child.kill('SIGTERM');
  }, 180_000);
});
