import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { StateStore } from './state-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sy-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('StateStore as the core TaskStore', () => {
  it('logs every transition and a restart reports what was in flight', async () => {
    const store = new StateStore({ dataDir: dir, now: () => Date.parse('2026-01-01T00:00:00Z') });
    await store.transition('a', 'pipeline', 'queued');
    await store.transition('a', 'pipeline', 'running');
    await store.transition('b', 'pipeline', 'queued');
    await store.transition('b', 'pipeline', 'running');
    await store.transition('b', 'pipeline', 'failed', new SwitchyardError({ code: 'TIMEOUT', message: 'slow' }));
    await store.transition('c', 'pipeline', 'queued');
    expect(store.transitions('b').map((t) => `${t.from ?? '-'}->${t.to}`)).toEqual(['-->queued', 'queued->running', 'running->failed']);
    expect(store.transitions('b')[2]!.error).toEqual({ code: 'TIMEOUT', message: 'slow' });
    store.close();

    const restarted = new StateStore({ dataDir: dir });
    expect((await restarted.recover()).map((t) => `${t.id}:${t.state}`)).toEqual(['a:running', 'c:queued']);
    restarted.close();
  });

  it('rejects illegal transitions', async () => {
    const store = new StateStore();
    await expect(store.transition('x', 'k', 'running')).rejects.toThrow(/illegal transition \(new\) -> running/);
    await store.transition('y', 'k', 'queued');
    await store.transition('y', 'k', 'canceled');
    await expect(store.transition('y', 'k', 'running')).rejects.toThrow(/illegal transition canceled -> running/);
    store.close();
  });

  it('a second process on the same dataDir is refused with the owner pid; a stale lock is taken over', async () => {
    const store = new StateStore({ dataDir: dir });
    const child = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(join(dir, 'state.lock'))}, '999999999')`]);
    await new Promise((resolve) => child.on('exit', resolve));
    store.close();
    // The lock now names a dead pid (like after kill -9): the next open takes it over.
    const again = new StateStore({ dataDir: dir });
    again.close();
    const held = new StateStore({ dataDir: dir });
    const other = spawn(process.execPath, ['--input-type=module', '-e', `
      import { StateStore } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      try { new StateStore({ dataDir: ${JSON.stringify(dir)} }); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); }`]);
    let out = '';
    other.stdout.on('data', (chunk) => (out += chunk));
    await new Promise((resolve) => other.on('exit', resolve));
    held.close();
    expect(out).toContain(`CONFIG_INVALID server.dataDir '${dir}' is in use by process ${process.pid}`);
  });
});

describe('StateStore server records', () => {
  it('keeps frames, finish and specs across a reopen; open tasks come back interactive first, then in admission order', () => {
    const store = new StateStore({ dataDir: dir });
    const spec = { input: { audio: new Float32Array([0.5, -0.25]) }, stream: true };
    store.admit({ id: 'b1', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec, at: 1 });
    store.admit({ id: 'i1', kind: 'task', priority: 'interactive', engineKey: 'e', idempotent: true, spec, at: 2 });
    store.admit({ id: 'done', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec, at: 3 });
    store.markRunning('done', 4);
    store.appendFrame('done', 0, 'token', '{"t":"a","i":0}');
    store.finish('done', 'completed', 5, { seq: 1, event: 'end', data: '{"tokens_out":1}' });
    store.markRunning('i1', 6);
    store.appendFrame('i1', 0, 'token', '{"t":"x","i":0}');
    store.flush();
    store.close();

    const reopened = new StateStore({ dataDir: dir });
    expect(reopened.getTask('done')).toMatchObject({ state: 'completed', frameCount: 2, finishedAt: 5, attempts: 1 });
    expect(reopened.frames('done')).toEqual([
      { seq: 0, event: 'token', data: '{"t":"a","i":0}' },
      { seq: 1, event: 'end', data: '{"tokens_out":1}' },
    ]);
    expect(reopened.frames('done', 0)).toHaveLength(1);
    const open = reopened.openTasks();
    expect(open.map((task) => `${task.id}:${task.state}`)).toEqual(['i1:running', 'b1:queued']);
    expect((open[1]!.spec as typeof spec).input.audio).toEqual(new Float32Array([0.5, -0.25]));
    reopened.requeue('i1', 7, { code: 'WORKER_RESET', message: 'restart' });
    expect(reopened.openTasks().map((task) => task.id)).toEqual(['i1', 'b1']);
    expect(reopened.transitions('i1').map((t) => t.to)).toEqual(['queued', 'running', 'queued']);
    expect(() => reopened.admit({ id: 'b1', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec, at: 8 })).toThrow(/already in use/);
    reopened.close();
  });

  it('retention deletes finished tasks by age, count and frame bytes, never open ones', () => {
    let now = 0;
    const store = new StateStore({ dataDir: dir, now: () => now, retention: { maxAgeMs: 1000, maxTasks: 3, maxBytes: 10_000 } });
    const finished = (id: string, bytes = 10) => {
      store.admit({ id, kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec: {}, at: now });
      store.markRunning(id, now);
      store.finish(id, 'completed', now, { seq: 0, event: 'end', data: 'x'.repeat(bytes) });
    };
    store.admit({ id: 'open', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec: {}, at: 0 });
    for (let i = 0; i < 5; i += 1) finished(`t${i}`);
    store.prune();
    expect(['t0', 't1', 't2', 't3', 't4'].filter((id) => store.has(id))).toEqual(['t2', 't3', 't4']);
    now = 5000;
    finished('late');
    store.prune();
    expect(['t2', 't3', 't4', 'late'].filter((id) => store.has(id))).toEqual(['late']);
    finished('big', 20_000);
    store.prune();
    expect(store.has('big')).toBe(false);
    expect(store.has('open')).toBe(true);
    store.close();
  });

  it('artifacts are content-addressed files, idempotent, evicted least recently used beyond the byte limit', () => {
    const store = new StateStore({ dataDir: dir, artifactsMaxBytes: 10 });
    const a = store.putArtifact(Buffer.from('aaaa'), 'text/plain', 1);
    expect(store.putArtifact(Buffer.from('aaaa'), 'text/plain', 2).id).toBe(a.id);
    expect(existsSync(join(dir, 'blobs', a.id.slice(0, 2), a.id))).toBe(true);
    const b = store.putArtifact(Buffer.from('bbbb'), 'text/plain', 3);
    store.getArtifact(a.id, 4);
    store.putArtifact(Buffer.from('cccc'), 'text/plain', 5);
    expect(store.getArtifact(b.id)).toBeUndefined();
    expect(store.getArtifact(a.id)?.bytes.toString()).toBe('aaaa');
    expect(readdirSync(join(dir, 'blobs', a.id.slice(0, 2))).some((name) => name.endsWith('.tmp'))).toBe(false);
    store.close();
    const reopened = new StateStore({ dataDir: dir, artifactsMaxBytes: 10 });
    expect(reopened.getArtifact(a.id)?.contentType).toBe('text/plain');
    reopened.close();
  });

  it('a transcript is rendered from the frames (not stored twice) and lives as long as its task', () => {
    const store = new StateStore({ dataDir: dir, retention: { maxTasks: 1 } });
    const text = 'event: token\ndata: {"t":"a","i":0}\n\nevent: end\ndata: {"tokens_out":1}\n\n';
    const id = createHash('sha256').update(text).digest('hex');
    store.admit({ id: 't1', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec: {}, at: 1 });
    store.markRunning('t1', 2);
    store.appendFrame('t1', 0, 'token', '{"t":"a","i":0}');
    store.finish('t1', 'completed', 3, { seq: 1, event: 'end', data: '{"tokens_out":1}' }, undefined, id);
    expect(store.getArtifact(id)).toMatchObject({ id, contentType: 'text/event-stream', size: text.length, createdAt: 3 });
    expect(store.getArtifact(id)!.bytes.toString()).toBe(text);
    expect(store.artifactStats()).toEqual({ count: 0, bytes: 0 });
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
    // The next finished task pushes t1 out (maxTasks 1): its transcript goes with it.
    store.admit({ id: 't2', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec: {}, at: 4 });
    store.markRunning('t2', 5);
    store.finish('t2', 'completed', 6, { seq: 0, event: 'end', data: '{}' });
    expect(store.has('t1')).toBe(false);
    expect(store.getArtifact(id)).toBeUndefined();
    store.close();
  });

  it('keeps exact running totals for retention and artifacts across reopen and eviction', () => {
    const store = new StateStore({ dataDir: dir, artifactsMaxBytes: 8, retention: { maxBytes: 25 } });
    store.putArtifact(Buffer.from('aaaa'), 'text/plain', 1);
    store.putArtifact(Buffer.from('bbbb'), 'text/plain', 2);
    store.putArtifact(Buffer.from('cccc'), 'text/plain', 3);
    expect(store.artifactStats()).toEqual({ count: 2, bytes: 8 });
    for (const id of ['x', 'y', 'z']) {
      store.admit({ id, kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec: {}, at: 1 });
      store.markRunning(id, 1);
      store.appendFrame(id, 0, 'token', '0123456789');
      store.finish(id, 'completed', 2, { seq: 1, event: 'end', data: '' });
    }
    // Each task keeps 18 frame bytes (token 10 + 5, end 0 + 3): over 25 in total, the oldest go until one is left.
    expect(['x', 'y', 'z'].filter((id) => store.has(id))).toEqual(['z']);
    store.close();
    const reopened = new StateStore({ dataDir: dir, artifactsMaxBytes: 8 });
    expect(reopened.artifactStats()).toEqual({ count: 2, bytes: 8 });
    expect(reopened.finishedCount).toBe(1);
    reopened.close();
  });

  it('checkpoints the WAL from a worker thread (the writer never does), and a batch commits its writes together', async () => {
    const store = new StateStore({ dataDir: dir });
    const db = join(dir, 'state.db');
    const before = statSync(db).size;
    const committed: string[] = [];
    store.batch(() => {
      for (let i = 0; i < 2000; i += 1) store.putSession({ id: `s${i}`, createdAt: i, lastUsedAt: i, turns: 1, tokensUsed: 0 });
      store.whenCommitted(() => committed.push('after'));
      committed.push('inside');
    });
    expect(committed).toEqual(['inside', 'after']);
    expect(() => store.batch(() => {
      store.putSession({ id: 'rolled-back', createdAt: 1, lastUsedAt: 1, turns: 1, tokensUsed: 0 });
      throw new Error('abort the batch');
    })).toThrow('abort the batch');
    expect(store.getSession('rolled-back')).toBeUndefined();
    // The pages reach state.db only through a checkpoint; the worker runs one within ~200 ms of the commit.
    const deadline = Date.now() + 5000;
    while (statSync(db).size <= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(db).size).toBeGreaterThan(before);
    store.close();
  });

  it('close() resolves once the checkpoint worker has let go: no -wal or -shm file is left, so the folder can be deleted', async () => {
    const store = new StateStore({ dataDir: dir });
    const db = join(dir, 'state.db');
    const before = statSync(db).size;
    for (let i = 0; i < 500; i += 1) store.putSession({ id: `s${i}`, createdAt: i, lastUsedAt: i, turns: 1, tokensUsed: 0 });
    // Wait for the worker's first checkpoint, so it holds a connection when the store closes.
    const deadline = Date.now() + 5000;
    while (statSync(db).size <= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    store.putSession({ id: 'last', createdAt: 1, lastUsedAt: 1, turns: 1, tokensUsed: 0 });
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'state.db']);
    const reopened = new StateStore({ dataDir: dir });
    expect(reopened.getSession('last')).toBeDefined();
    await reopened.close();
  });

  it('code after `await close()` runs in a process with nothing else open (the worker is waited for, not cut off)', async () => {
    // The checkpoint worker starts within 200 ms of the first commit; node -e also checks it ignores --input-type.
    const script = `
      const { StateStore } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const store = new StateStore({ dataDir: ${JSON.stringify(dir)} });
      for (let i = 0; i < 500; i += 1) store.putSession({ id: 's' + i, createdAt: i, lastUsedAt: i, turns: 1, tokensUsed: 0 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await store.close();
      console.log('after close');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect([code, out.trim()]).toEqual([0, 'after close']);
    expect(readdirSync(dir).sort()).toEqual(['blobs', 'state.db']);
  });

  it('migrates a version-1 store (rowid tables) to version 2 at open, keeping tasks, transitions and frames', () => {
    const v1 = new Database(join(dir, 'state.db'));
    v1.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema', '1');
      CREATE TABLE tasks (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, priority TEXT NOT NULL DEFAULT 'batch', engine_key TEXT NOT NULL DEFAULT '', idempotent INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, updated_at INTEGER NOT NULL, error_code TEXT, error_message TEXT, transcript_artifact TEXT, frame_count INTEGER NOT NULL DEFAULT 0, frame_bytes INTEGER NOT NULL DEFAULT 0, spec BLOB);
      CREATE TABLE frames (task_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (task_id, seq)) WITHOUT ROWID;
      CREATE TABLE transitions (id INTEGER PRIMARY KEY, task_id TEXT NOT NULL, kind TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, at INTEGER NOT NULL, error_code TEXT, error_message TEXT);
      CREATE INDEX transitions_task ON transitions (task_id);
      INSERT INTO tasks (id, kind, state, seq, enqueued_at, started_at, finished_at, updated_at, frame_count, frame_bytes) VALUES ('old', 'task', 'completed', 7, 1, 2, 3, 3, 1, 8);
      INSERT INTO frames VALUES ('old', 0, 'end', '{}');
      INSERT INTO transitions (task_id, kind, from_state, to_state, at) VALUES ('old', 'task', NULL, 'queued', 1), ('old', 'task', 'queued', 'running', 2), ('old', 'task', 'running', 'completed', 3);
    `);
    v1.close();
    const store = new StateStore({ dataDir: dir });
    expect(store.getTask('old')).toMatchObject({ state: 'completed', finishedAt: 3, frameCount: 1 });
    expect(store.frames('old')).toEqual([{ seq: 0, event: 'end', data: '{}' }]);
    expect(store.transitions('old').map((t) => t.to)).toEqual(['queued', 'running', 'completed']);
    store.admit({ id: 'new', kind: 'task', priority: 'batch', engineKey: 'e', idempotent: false, spec: {}, at: 4 });
    expect(store.transitions('new').map((t) => t.to)).toEqual(['queued']);
    expect(store.listTasks().map((task) => task.id)).toEqual(['new', 'old']);
    store.close();
    const check = new Database(join(dir, 'state.db'), { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get()).toEqual({ value: '2' });
    expect((check.prepare(`SELECT sql FROM sqlite_master WHERE name = 'tasks'`).get() as { sql: string }).sql).toContain('WITHOUT ROWID');
    check.close();
  });

  it('sessions and catalog entries survive a reopen', () => {
    const store = new StateStore({ dataDir: dir });
    store.putSession({ id: 's', createdAt: 1, lastUsedAt: 2, turns: 3, tokensUsed: 4 });
    store.putCatalog('model:x', { sha256: 'ab', size: 3 });
    store.close();
    const reopened = new StateStore({ dataDir: dir });
    expect(reopened.getSession('s')).toEqual({ id: 's', createdAt: 1, lastUsedAt: 2, turns: 3, tokensUsed: 4 });
    expect(reopened.getCatalog('model:x')).toEqual({ sha256: 'ab', size: 3 });
    reopened.expireSessions(10);
    expect(reopened.getSession('s')).toBeUndefined();
    reopened.close();
  });

  it('an unusable dataDir is a CONFIG_INVALID naming server.dataDir', () => {
    writeFileSync(join(dir, 'file'), 'x');
    const bad = join(dir, 'file', 'state');
    expect(() => new StateStore({ dataDir: bad })).toThrow(`server.dataDir '${bad}' cannot be created: ENOTDIR`);
  });
});

describe('stored responses', () => {
  it('survive a reopen, are deleted by id, and expire with the task retention age', () => {
    let now = 1_000;
    const store = new StateStore({ dataDir: dir, retention: { maxAgeMs: 500 }, now: () => now });
    store.putResponse('resp_a', { id: 'resp_a', output: ['x'] });
    store.putResponse('resp_b', { id: 'resp_b' });
    store.close();
    const reopened = new StateStore({ dataDir: dir, retention: { maxAgeMs: 500 }, now: () => now });
    expect(reopened.getResponse('resp_a')).toEqual({ id: 'resp_a', output: ['x'] });
    expect(reopened.deleteResponse('resp_b')).toBe(true);
    expect(reopened.getResponse('resp_b')).toBeUndefined();
    now = 1_600;
    reopened.putResponse('resp_c', { id: 'resp_c' });
    for (let i = 0; i < 99; i++) reopened.putResponse('resp_c', { id: 'resp_c', i });
    expect(reopened.getResponse('resp_a')).toBeUndefined();
    expect(reopened.getResponse('resp_c')).toEqual({ id: 'resp_c', i: 98 });
    reopened.close();
  });

  it('the oldest go beyond the count and byte limits; the one just written stays', () => {
    let now = 0;
    const store = new StateStore({ retention: { maxTasks: 3, maxBytes: 10_000 }, now: () => ++now });
    for (const id of ['r1', 'r2', 'r3', 'r4']) store.putResponse(id, { id });
    expect(['r1', 'r2', 'r3', 'r4'].map((id) => store.getResponse(id) !== undefined)).toEqual([false, true, true, true]);
    store.putResponse('big', { text: 'x'.repeat(9_990) });
    expect(store.getResponse('big')).toBeDefined();
    expect(['r2', 'r3', 'r4'].filter((id) => store.getResponse(id) !== undefined)).toHaveLength(0);
    store.close();
  });
});
