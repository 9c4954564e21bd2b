import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./test-support/durable-child.ts', import.meta.url));
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sy-durable-'));
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the single-process server (TypeScript sources through tsx) and resolves with its URL. */
async function startServer(dataDir: string, runsLog: string): Promise<{ url: string; child: ChildProcess; recovered: { requeued: number; retried: number; reset: number } }> {
  const child = spawn(process.execPath, ['--conditions=@switchyard/source', '--import', 'tsx', CHILD, dataDir, runsLog], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening (\S+) (\{.*\})\n/.exec(out);
      if (match) resolve({ url: match[1]!, child, recovered: JSON.parse(match[2]!) });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
}

const runs = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);

describe('durable embedded state: kill -9 mid-run, restart', () => {
  it('all 200 tasks end terminal, finished transcripts replay identically, only idempotent tasks run twice', async () => {
    const dataDir = join(dir, 'data');
    const runsLog = join(dir, 'runs.log');
    const first = await startServer(dataDir, runsLog);
    const ids = Array.from({ length: 200 }, (_, i) => `t${i}`);
    // Every 10th task is idempotent; a third are interactive (they overtake batch tasks). Admitted 20 at a time.
    for (let start = 0; start < ids.length; start += 20) {
      const statuses = await Promise.all(
        ids.slice(start, start + 20).map(async (id) => {
          const i = Number(id.slice(1));
          const response = await fetch(`${first.url}/v2/tasks`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ task_id: id, model_ref: 'words', prompt: `${id} a b c d e`, priority: i % 3 === 0 ? 'interactive' : 'batch', idempotent: i % 10 === 0 }),
          });
          return response.status;
        }),
      );
      expect(statuses.every((status) => status === 202)).toBe(true);
    }
    // Let a part of them run, capture some finished transcripts, then kill -9 in the middle of the run.
    while (runs(runsLog).length < 30) await new Promise((resolve) => setTimeout(resolve, 10));
    const before = new Map<string, string>();
    for (const id of runs(runsLog).slice(0, 12)) {
      const status = (await (await fetch(`${first.url}/v2/tasks/${id}`)).json()) as { state: string };
      if (status.state === 'completed') before.set(id, await (await fetch(`${first.url}/v2/tasks/${id}/events`)).text());
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    const ranBeforeKill = runs(runsLog).length;
    expect(ranBeforeKill).toBeLessThan(200);
    expect(before.size).toBeGreaterThan(0);

    const second = await startServer(dataDir, runsLog);
    expect(second.recovered.requeued + second.recovered.retried + second.recovered.reset).toBeGreaterThan(0);
    const states = new Map<string, { state: string }>();
    for (let round = 0; round < 600 && states.size < ids.length; round += 1) {
      for (const id of ids) {
        if (states.has(id)) continue;
        const status = (await (await fetch(`${second.url}/v2/tasks/${id}`)).json()) as { state: string };
        if (['completed', 'failed', 'canceled'].includes(status.state)) states.set(id, status);
      }
      if (states.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(states.size).toBe(200);

    for (const [id, transcript] of before) expect(await (await fetch(`${second.url}/v2/tasks/${id}/events`)).text()).toBe(transcript);

    const counts = new Map<string, number>();
    for (const id of runs(runsLog)) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [i, id] of ids.entries()) {
      const ranTimes = counts.get(id) ?? 0;
      const state = states.get(id)!.state;
      if (i % 10 === 0) expect(ranTimes, id).toBeLessThanOrEqual(2);
      else expect(ranTimes, id).toBeLessThanOrEqual(1);
      if (state === 'completed') expect(ranTimes, id).toBeGreaterThanOrEqual(1);
      if (state === 'failed') {
        // Only a task that was running at the kill fails, and only a non-idempotent one: WORKER_RESET.
        const events = await (await fetch(`${second.url}/v2/tasks/${id}/events`)).text();
        expect(events, id).toContain('"code":"WORKER_RESET"');
        expect(i % 10, id).not.toBe(0);
        expect(ranTimes, id).toBe(1);
      }
    }
    // The retried idempotent tasks announced the retry and did not repeat delivered tokens.
    for (const [i, id] of ids.entries()) {
      if (i % 10 !== 0 || counts.get(id) !== 2) continue;
      const events = await (await fetch(`${second.url}/v2/tasks/${id}/events`)).text();
      expect(events).toContain('event: retry');
      const tokens = [...events.matchAll(/event: token\ndata: (.*)\n/g)].map((match) => (JSON.parse(match[1]!) as { t: string }).t);
      expect(tokens.join('')).toBe(`${id} a b c d e`);
    }
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }, 120_000);
});
