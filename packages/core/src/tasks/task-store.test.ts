import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { TaskStore } from './task-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-tasks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TaskStore', () => {
  it('logs every transition and a restart reports what was in flight', async () => {
    const store = new TaskStore(dir, () => new Date('2026-01-01T00:00:00Z'));
    await store.transition('a', 'pipeline', 'queued');
    await store.transition('a', 'pipeline', 'running');
    await store.transition('b', 'pipeline', 'queued');
    await store.transition('b', 'pipeline', 'running');
    await store.transition('b', 'pipeline', 'failed', new SwitchyardError({ code: 'TIMEOUT', message: 'slow' }));
    await store.transition('c', 'pipeline', 'queued');

    const log = (await readFile(store.logFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((t) => `${t.id}:${t.from ?? '-'}->${t.to}`)).toEqual(['a:-->queued', 'a:queued->running', 'b:-->queued', 'b:queued->running', 'b:running->failed', 'c:-->queued']);
    expect(log[4].error).toEqual({ code: 'TIMEOUT', message: 'slow' });

    // A new process (new store on the same dir) sees a and c as in flight.
    const restarted = new TaskStore(dir);
    expect((await restarted.recover()).map((t) => `${t.id}:${t.state}`)).toEqual(['a:running', 'c:queued']);
  });

  it('rejects illegal transitions', async () => {
    const store = new TaskStore(dir);
    await expect(store.transition('x', 'k', 'running')).rejects.toThrow(/illegal transition \(new\) -> running/);
    await store.transition('y', 'k', 'queued');
    await store.transition('y', 'k', 'canceled');
    await expect(store.transition('y', 'k', 'running')).rejects.toThrow(/illegal transition \(new\) -> running/);
  });

  it('recover() on an empty dir reports nothing', async () => {
    expect(await new TaskStore(join(dir, 'none')).recover()).toEqual([]);
  });
});
