import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import Database from 'better-sqlite3';
import { WalCheckpointer } from './wal-checkpointer.js';
import { SwitchyardError, TERMINAL_TASK_STATES, assertTaskTransition, summarizeTaskError, type TaskRecord, type TaskState, type TaskStore } from '@switchyard/core';

/** How much finished work the store keeps; the oldest finished tasks go first when any limit is exceeded. */
export interface RetentionLimits {
  /** Finished tasks older than this (since they finished) are deleted with their frames. */
  readonly maxAgeMs: number;
  /** At most this many finished tasks are kept. */
  readonly maxTasks: number;
  /** Frame bytes of finished tasks kept in total. */
  readonly maxBytes: number;
}

export const DEFAULT_RETENTION: RetentionLimits = { maxAgeMs: 24 * 3_600_000, maxTasks: 10_000, maxBytes: 256 * 1024 * 1024 };

export interface StateStoreOptions {
  /** Directory holding `state.db` (SQLite, WAL) and `blobs/` (content-addressed artifact bytes); absent = in memory. */
  readonly dataDir?: string;
  readonly retention?: Partial<RetentionLimits>;
  /** Artifact bytes kept in total (least recently used go first). */
  readonly artifactsMaxBytes?: number;
  readonly now?: () => number;
}

/** A task as the store keeps it: the spec is an opaque structured-clone payload owned by the caller. */
export interface StoredTask {
  readonly id: string;
  readonly kind: string;
  readonly state: TaskState;
  readonly priority: 'interactive' | 'batch';
  readonly engineKey: string;
  readonly idempotent: boolean;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly transcriptArtifact?: string;
  /** Frames stored, counted when the task finishes (0 while it is open). */
  readonly frameCount: number;
  readonly spec?: unknown;
}

export interface StoredFrame {
  readonly seq: number;
  readonly event: string;
  /** The frame's data as JSON text (replayed byte for byte). */
  readonly data: string;
}

export interface StoredArtifactMeta {
  readonly id: string;
  readonly contentType: string;
  readonly size: number;
  readonly createdAt: number;
}

export interface StoredSession {
  readonly id: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly turns: number;
  readonly tokensUsed: number;
}

// 2: tasks and transitions are WITHOUT ROWID tables keyed by the task id (one B-tree each instead of a table plus
// an index on a random key: fewer pages written per commit). A version-1 store is migrated at open.
const SCHEMA_VERSION = 2;

const TASK_COLUMNS = 'id, kind, state, priority, engine_key, idempotent, attempts, seq, enqueued_at, started_at, finished_at, updated_at, error_code, error_message, transcript_artifact, frame_count, frame_bytes, spec';
const TRANSITION_COLUMNS = 'task_id, id, kind, from_state, to_state, at, error_code, error_message';

function tasksTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  id TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, priority TEXT NOT NULL DEFAULT 'batch',
  engine_key TEXT NOT NULL DEFAULT '', idempotent INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
  seq INTEGER NOT NULL, enqueued_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER, updated_at INTEGER NOT NULL,
  error_code TEXT, error_message TEXT, transcript_artifact TEXT, frame_count INTEGER NOT NULL DEFAULT 0,
  frame_bytes INTEGER NOT NULL DEFAULT 0, spec BLOB
) WITHOUT ROWID;`;
}

function transitionsTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  task_id TEXT NOT NULL, id INTEGER NOT NULL, kind TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, at INTEGER NOT NULL,
  error_code TEXT, error_message TEXT, PRIMARY KEY (task_id, id)
) WITHOUT ROWID;`;
}

/** Version 1 -> 2, in one transaction (a crash in the middle leaves version 1 intact). */
const MIGRATE_1_TO_2 = `
${tasksTable('tasks_v2')}
INSERT INTO tasks_v2 (${TASK_COLUMNS}) SELECT ${TASK_COLUMNS} FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_v2 RENAME TO tasks;
${transitionsTable('transitions_v2')}
INSERT INTO transitions_v2 (${TRANSITION_COLUMNS}) SELECT ${TRANSITION_COLUMNS} FROM transitions;
DROP TABLE transitions;
ALTER TABLE transitions_v2 RENAME TO transitions;
UPDATE meta SET value = '2' WHERE key = 'schema';
`;

const SCHEMA = `
${tasksTable('tasks')}
CREATE INDEX IF NOT EXISTS tasks_open ON tasks (state, seq) WHERE state IN ('queued', 'running');
DROP INDEX IF EXISTS tasks_finished;
CREATE INDEX IF NOT EXISTS tasks_finished_order ON tasks (finished_at, seq) WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_transcript ON tasks (transcript_artifact) WHERE transcript_artifact IS NOT NULL;
CREATE TABLE IF NOT EXISTS frames (task_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (task_id, seq)) WITHOUT ROWID;
${transitionsTable('transitions')}
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, last_used_at INTEGER NOT NULL, turns INTEGER NOT NULL, tokens_used INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS artifacts (id TEXT PRIMARY KEY, content_type TEXT NOT NULL, size INTEGER NOT NULL, created_at INTEGER NOT NULL, used_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS artifacts_lru ON artifacts (used_at);
CREATE TABLE IF NOT EXISTS catalog (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS responses_age ON responses (created_at);
`;

interface TaskRow {
  id: string;
  kind: string;
  state: TaskState;
  priority: 'interactive' | 'batch';
  engine_key: string;
  idempotent: number;
  attempts: number;
  enqueued_at: number;
  started_at: number | null;
  finished_at: number | null;
  error_code: string | null;
  error_message: string | null;
  transcript_artifact: string | null;
  frame_count: number;
  spec: Buffer | null;
}

/**
 * The one durable state mechanism: task records with an atomic current state and an append-only transitions
 * table, SSE frame transcripts, sessions, stored responses, artifact metadata and catalog entries in one SQLite database (WAL,
 * so a kill -9 at any point leaves the last committed transaction readable), artifact bytes as
 * content-addressed files written temp-then-rename. Without a dataDir the same schema lives in memory.
 *
 * Writes that decide what happens after a crash (admission, start, finish) commit synchronously; frames of
 * running tasks are batched and committed at the latest with the task's terminal transition. A task's transcript
 * is not stored a second time: its artifact id (the sha256 of the SSE text) is kept on the task and the bytes are
 * rendered from the frames when asked for, so it lives exactly as long as the task (retention).
 *
 * Every bound is kept without scanning: finished-task counts and bytes and artifact bytes are running totals
 * (read once at open), and retention deletes oldest-first through an index.
 */
export class StateStore implements TaskStore {
  readonly dataDir: string | undefined;
  readonly retention: RetentionLimits;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly memoryBlobs = new Map<string, Buffer>();
  private artifactTotals = { count: 0, bytes: 0 };
  private sessionTotal = 0;
  private readonly blobDir: string | undefined;
  private readonly lockFile: string | undefined;
  private readonly artifactsMaxBytes: number;
  private pendingFrames: [string, number, string, string][] = [];
  private flushScheduled = false;
  private seq: number;
  private finishedSincePrune = 0;
  private finished = { count: 0, bytes: 0 };
  private responseTotals = { count: 0, bytes: 0 };
  private responsesSincePrune = 0;
  private closed = false;
  private released: Promise<void> = Promise.resolve();
  private readonly stmt: ReturnType<StateStore['prepare']>;
  private readonly checkpointer: WalCheckpointer | undefined;
  private batchDepth = 0;
  private transitionSeq = 1;
  private afterCommit: (() => void)[] = [];

  constructor(options: StateStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.dataDir = options.dataDir;
    this.retention = { ...DEFAULT_RETENTION, ...definedOnly(options.retention ?? {}) };
    this.artifactsMaxBytes = options.artifactsMaxBytes ?? 256 * 1024 * 1024;
    if (this.dataDir !== undefined) {
      try {
        mkdirSync(join(this.dataDir, 'blobs'), { recursive: true });
      } catch (error) {
        throw storeError(`server.dataDir '${this.dataDir}' cannot be created: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, this.dataDir, error);
      }
      this.lockFile = join(this.dataDir, 'state.lock');
      acquireLock(this.lockFile, this.dataDir);
      this.blobDir = join(this.dataDir, 'blobs');
    }
    try {
      this.db = new Database(this.dataDir === undefined ? ':memory:' : join(this.dataDir, 'state.db'));
      this.db.pragma('journal_mode = WAL');
      // NORMAL under WAL: a committed transaction survives a process crash (kill -9); an OS crash may lose the last ones.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const stored = this.db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema'`).get();
      if (stored?.value === '1') this.db.transaction(() => this.db.exec(MIGRATE_1_TO_2))();
      if (stored === undefined || stored.value === '1' || Number(stored.value) === SCHEMA_VERSION) this.db.exec(SCHEMA);
    } catch (error) {
      if (this.lockFile) rmSync(this.lockFile, { force: true });
      throw storeError(`${this.dataDir ?? ':memory:'}: cannot open the state database: ${(error as Error).message}`, this.dataDir, error);
    }
    const version = this.db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'schema'`).get();
    if (version === undefined) this.db.prepare(`INSERT INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
    else if (Number(version.value) !== SCHEMA_VERSION) {
      this.db.close();
      if (this.lockFile) rmSync(this.lockFile, { force: true });
      throw storeError(`${this.dataDir}: state schema version ${version.value} is not supported by this version (expects ${SCHEMA_VERSION})`, this.dataDir);
    }
    if (this.dataDir !== undefined) {
      // Checkpoints (the only fsyncs under synchronous=NORMAL) run in a worker thread, not on the event loop.
      this.db.pragma('wal_autocheckpoint = 0');
      this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      // 16 MiB of page cache (default 2 MiB): replays and finishes read recent pages without a syscall each.
      this.db.pragma('cache_size = -16384');
      this.checkpointer = new WalCheckpointer(join(this.dataDir, 'state.db'), () => this.db.pragma('wal_autocheckpoint = 1000'));
    }
    this.stmt = this.prepare();
    this.transitionSeq = (this.db.prepare<[], { s: number | null }>('SELECT MAX(id) AS s FROM transitions').get()?.s ?? 0) + 1;
    this.seq = (this.db.prepare<[], { s: number | null }>('SELECT MAX(seq) AS s FROM tasks').get()?.s ?? 0) + 1;
    const stats = this.stmt.finishedStats.get();
    this.finished = { count: stats?.n ?? 0, bytes: stats?.bytes ?? 0 };
    const artifacts = this.stmt.artifactBytes.get();
    this.artifactTotals = { count: artifacts?.n ?? 0, bytes: artifacts?.total ?? 0 };
    this.sessionTotal = this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM sessions').get()?.n ?? 0;
    const responses = this.stmt.responseTotals.get();
    this.responseTotals = { count: responses?.n ?? 0, bytes: responses?.bytes ?? 0 };
  }

  get durable(): boolean {
    return this.dataDir !== undefined;
  }

  private prepare() {
    const db = this.db;
    return {
      insertTask: db.prepare(
        `INSERT INTO tasks (id, kind, state, priority, engine_key, idempotent, attempts, seq, enqueued_at, updated_at, spec) VALUES (@id, @kind, 'queued', @priority, @engineKey, @idempotent, 0, @seq, @at, @at, @spec)`,
      ),
      getState: db.prepare<[string], { state: TaskState; kind: string }>('SELECT state, kind FROM tasks WHERE id = ?'),
      setRunning: db.prepare(`UPDATE tasks SET state = 'running', started_at = @at, updated_at = @at, attempts = attempts + 1 WHERE id = @id`),
      setQueued: db.prepare(`UPDATE tasks SET state = 'queued', updated_at = @at, seq = @seq WHERE id = @id`),
      setFinished: db.prepare(
        `UPDATE tasks SET state = @state, finished_at = @at, updated_at = @at, error_code = @code, error_message = @message, transcript_artifact = @transcript, frame_count = @frames, frame_bytes = @bytes WHERE id = @id`,
      ),
      setSimple: db.prepare(`UPDATE tasks SET state = @state, updated_at = @at, error_code = @code, error_message = @message, finished_at = CASE WHEN @terminal THEN @at ELSE finished_at END WHERE id = @id`),
      transitionRow: db.prepare(`INSERT INTO transitions (task_id, id, kind, from_state, to_state, at, error_code, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      frame: db.prepare(`INSERT OR IGNORE INTO frames (task_id, seq, event, data) VALUES (?, ?, ?, ?)`),
      frameTotals: db.prepare<[string], { n: number; bytes: number }>(`SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(data AS BLOB)) + length(event)), 0) AS bytes FROM frames WHERE task_id = ?`),
      transcriptOf: db.prepare<[string], { id: string; finished_at: number }>('SELECT id, finished_at FROM tasks WHERE transcript_artifact = ? LIMIT 1'),
      getTask: db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?'),
      frames: db.prepare<[string, number], StoredFrame>('SELECT seq, event, data FROM frames WHERE task_id = ? AND seq > ? ORDER BY seq'),
      open: db.prepare<[], TaskRow>(`SELECT * FROM tasks WHERE state IN ('queued', 'running') ORDER BY CASE priority WHEN 'interactive' THEN 0 ELSE 1 END, seq`),
      session: db.prepare<[string], { id: string; created_at: number; last_used_at: number; turns: number; tokens_used: number }>('SELECT * FROM sessions WHERE id = ?'),
      putSession: db.prepare(
        `INSERT INTO sessions (id, created_at, last_used_at, turns, tokens_used) VALUES (@id, @createdAt, @lastUsedAt, @turns, @tokensUsed)
         ON CONFLICT (id) DO UPDATE SET last_used_at = excluded.last_used_at, turns = excluded.turns, tokens_used = excluded.tokens_used`,
      ),
      deleteSession: db.prepare('DELETE FROM sessions WHERE id = ?'),
      expireSessions: db.prepare('DELETE FROM sessions WHERE last_used_at <= ?'),
      artifact: db.prepare<[string], { id: string; content_type: string; size: number; created_at: number }>('SELECT id, content_type, size, created_at FROM artifacts WHERE id = ?'),
      putArtifact: db.prepare(`INSERT INTO artifacts (id, content_type, size, created_at, used_at) VALUES (?, ?, ?, ?, ?)`),
      touchArtifact: db.prepare('UPDATE artifacts SET used_at = ? WHERE id = ?'),
      artifactBytes: db.prepare<[], { total: number | null; n: number }>('SELECT SUM(size) AS total, COUNT(*) AS n FROM artifacts'),
      oldestArtifacts: db.prepare<[], { id: string; size: number }>('SELECT id, size FROM artifacts ORDER BY used_at, rowid LIMIT 64'),
      deleteArtifact: db.prepare('DELETE FROM artifacts WHERE id = ?'),
      catalogGet: db.prepare<[string], { value: string }>('SELECT value FROM catalog WHERE key = ?'),
      catalogPut: db.prepare('INSERT INTO catalog (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at'),
      catalogAll: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM catalog ORDER BY key'),
      responseGet: db.prepare<[string], { value: string }>('SELECT value FROM responses WHERE id = ?'),
      responseSize: db.prepare<[string], { n: number }>('SELECT length(CAST(value AS BLOB)) AS n FROM responses WHERE id = ?'),
      responsePut: db.prepare('INSERT INTO responses (id, created_at, value) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value'),
      responseDelete: db.prepare('DELETE FROM responses WHERE id = ?'),
      responsesOlderThan: db.prepare<[number], { id: string; n: number }>('SELECT id, length(CAST(value AS BLOB)) AS n FROM responses WHERE created_at < ? LIMIT 500'),
      oldestResponses: db.prepare<[], { id: string; n: number }>('SELECT id, length(CAST(value AS BLOB)) AS n FROM responses ORDER BY created_at, rowid LIMIT 64'),
      responseTotals: db.prepare<[], { n: number; bytes: number | null }>('SELECT COUNT(*) AS n, SUM(length(CAST(value AS BLOB))) AS bytes FROM responses'),
      pruneAge: db.prepare<[number], { id: string; frame_bytes: number }>(`SELECT id, frame_bytes FROM tasks WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY finished_at, seq LIMIT 500`),
      finishedStats: db.prepare<[], { n: number; bytes: number | null }>('SELECT COUNT(*) AS n, SUM(frame_bytes) AS bytes FROM tasks WHERE finished_at IS NOT NULL'),
      oldestFinished: db.prepare<[number], { id: string; frame_bytes: number }>('SELECT id, frame_bytes FROM tasks WHERE finished_at IS NOT NULL ORDER BY finished_at, seq LIMIT ?'),
      deleteTask: db.prepare('DELETE FROM tasks WHERE id = ?'),
      deleteFrames: db.prepare('DELETE FROM frames WHERE task_id = ?'),
      deleteTransitions: db.prepare('DELETE FROM transitions WHERE task_id = ?'),
    };
  }

  /** Appends to the transitions log (ids ascend across all tasks, so a task's rows read back in order). */
  private logTransition(taskId: string, kind: string, from: TaskState | null, to: TaskState, at: number, code: string | null, message: string | null): void {
    this.stmt.transitionRow.run(taskId, this.transitionSeq++, kind, from, to, at, code, message);
  }

  // ---- core TaskStore (pipeline runs and any other task kind) ----

  transition(id: string, kind: string, to: TaskState, error?: unknown): Promise<void> {
    try {
      this.write(() => {
        const current = this.stmt.getState.get(id);
        assertTaskTransition(id, current?.state ?? null, to);
        const at = this.now();
        const summary = error === undefined ? undefined : summarizeTaskError(error);
        if (!current) this.stmt.insertTask.run({ id, kind, priority: 'batch', engineKey: '', idempotent: 0, seq: this.seq++, at, spec: null });
        else if (to === 'running') this.stmt.setRunning.run({ id, at });
        else this.stmt.setSimple.run({ id, state: to, at, code: summary?.code ?? null, message: summary?.message ?? null, terminal: TERMINAL_TASK_STATES.has(to) ? 1 : 0 });
        this.logTransition(id, kind, current?.state ?? null, to, at, summary?.code ?? null, summary?.message ?? null);
      });
      return Promise.resolve();
    } catch (failure) {
      return Promise.reject(failure);
    }
  }

  async recover(): Promise<TaskRecord[]> {
    return this.openTasks().map((task) => ({
      id: task.id,
      kind: task.kind,
      state: task.state,
      updatedAt: new Date(task.startedAt ?? task.enqueuedAt).toISOString(),
      ...(task.error ? { error: task.error } : {}),
    }));
  }

  /** The transitions recorded for a task, oldest first. */
  transitions(id: string): { from: TaskState | null; to: TaskState; at: number; error?: { code: string; message: string } }[] {
    const rows = this.db
      .prepare<[string], { from_state: TaskState | null; to_state: TaskState; at: number; error_code: string | null; error_message: string | null }>('SELECT * FROM transitions WHERE task_id = ? ORDER BY id')
      .all(id);
    return rows.map((row) => ({ from: row.from_state, to: row.to_state, at: row.at, ...(row.error_code ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}) }));
  }

  // ---- server tasks ----

  /** Admission: the task is durable (and will run after a restart) once this returns. */
  admit(task: { id: string; kind: string; priority: 'interactive' | 'batch'; engineKey: string; idempotent: boolean; spec: unknown; at: number }): void {
    this.write(() => {
      if (this.stmt.getState.get(task.id)) throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `task_id '${task.id}' is already in use`, details: { field: 'task_id' } });
      this.stmt.insertTask.run({ id: task.id, kind: task.kind, priority: task.priority, engineKey: task.engineKey, idempotent: task.idempotent ? 1 : 0, seq: this.seq++, at: task.at, spec: serialize(task.spec) });
      this.logTransition(task.id, task.kind, null, 'queued', task.at, null, null);
    });
  }

  has(id: string): boolean {
    return this.stmt.getState.get(id) !== undefined;
  }

  /** queued -> running; committed before the engine is called, so a crash after this never reruns silently. */
  markRunning(id: string, at: number): void {
    this.write(() => {
      const current = this.stmt.getState.get(id);
      if (!current) return;
      assertTaskTransition(id, current.state, 'running');
      this.stmt.setRunning.run({ id, at });
      this.logTransition(id, current.kind, current.state, 'running', at, null, null);
    });
  }

  /** running -> queued for a retry (WORKER_RESET), behind the tasks already queued. */
  requeue(id: string, at: number, reason: { code: string; message: string }): void {
    this.write(() => {
      const current = this.stmt.getState.get(id);
      if (!current) return;
      assertTaskTransition(id, current.state, 'queued');
      this.stmt.setQueued.run({ id, at, seq: this.seq++ });
      this.logTransition(id, current.kind, current.state, 'queued', at, reason.code, reason.message);
    });
  }

  /** Buffers a frame; it is committed within the current tick's batch or with the terminal transition. */
  appendFrame(taskId: string, seq: number, event: string, data: string): void {
    this.pendingFrames.push([taskId, seq, event, data]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Terminal transition with the last frame, in one transaction together with every pending frame. */
  finish(id: string, state: 'completed' | 'failed' | 'canceled', at: number, last: { seq: number; event: string; data: string } | undefined, error?: { code: string; message: string }, transcriptArtifact?: string): void {
    if (last) this.pendingFrames.push([id, last.seq, last.event, last.data]);
    const frameBytes = this.write(() => {
      this.writeFrames();
      const current = this.stmt.getState.get(id);
      if (!current) return undefined;
      assertTaskTransition(id, current.state, state);
      // Frame counts are written once, here (not per batch of frames): one read of the task's frames, no extra writes.
      const totals = this.stmt.frameTotals.get(id) ?? { n: 0, bytes: 0 };
      this.stmt.setFinished.run({ id, state, at, code: error?.code ?? null, message: error?.message ?? null, transcript: transcriptArtifact ?? null, frames: totals.n, bytes: totals.bytes });
      this.logTransition(id, current.kind, current.state, state, at, error?.code ?? null, error?.message ?? null);
      return totals.bytes;
    });
    if (frameBytes === undefined) return;
    this.finishedSincePrune += 1;
    this.finished.count += 1;
    this.finished.bytes += frameBytes;
    // Count and byte caps hold after every finish; age is checked every 100 finished tasks.
    if (this.finishedSincePrune >= 100 || this.finished.count > this.retention.maxTasks || this.finished.bytes > this.retention.maxBytes) this.prune();
  }

  /** Finished tasks currently kept (approximate between prunes for frame bytes). */
  get finishedCount(): number {
    return this.finished.count;
  }

  getTask(id: string, withSpec = false): StoredTask | undefined {
    const row = this.stmt.getTask.get(id);
    return row ? toStoredTask(row, withSpec) : undefined;
  }

  /** Frames of a task after `afterSeq` (exclusive), in order; pending frames are flushed first. */
  frames(taskId: string, afterSeq = -1): StoredFrame[] {
    this.flush();
    return this.stmt.frames.all(taskId, afterSeq);
  }

  /** Tasks (without specs), most recently admitted first; `kind` filters by prefix (e.g. `pipeline:`). */
  listTasks(options: { kind?: string; limit?: number } = {}): StoredTask[] {
    const rows = this.db
      .prepare<[string, number], TaskRow>(`SELECT * FROM tasks WHERE kind LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?`)
      .all(`${(options.kind ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`, options.limit ?? 100);
    return rows.map((row) => toStoredTask(row, false));
  }

  /** Queued and running tasks (with specs), interactive first, then in admission order. */
  openTasks(): StoredTask[] {
    return this.stmt.open.all().map((row) => toStoredTask(row, true));
  }

  /** Commits buffered frames now. */
  flush(): void {
    this.flushScheduled = false;
    if (this.pendingFrames.length === 0 || this.closed) return;
    this.write(() => this.writeFrames());
  }

  private writeFrames(): void {
    const frames = this.pendingFrames;
    if (frames.length === 0) return;
    this.pendingFrames = [];
    for (const [taskId, seq, event, data] of frames) this.stmt.frame.run(taskId, seq, event, data);
  }

  /** Deletes finished tasks beyond the retention limits (age, count, bytes); returns how many went. */
  prune(): number {
    this.finishedSincePrune = 0;
    let removed = 0;
    this.write(() => {
      // The running totals (exact: finish adds each task's frame bytes) decide; no aggregate query per prune.
      let { count, bytes } = this.finished;
      const remove = (row: { id: string; frame_bytes: number }) => {
        this.stmt.deleteFrames.run(row.id);
        this.stmt.deleteTransitions.run(row.id);
        this.stmt.deleteTask.run(row.id);
        removed += 1;
        count -= 1;
        bytes -= row.frame_bytes;
      };
      for (;;) {
        const old = this.stmt.pruneAge.all(this.now() - this.retention.maxAgeMs);
        for (const row of old) remove(row);
        if (old.length < 500) break;
      }
      while (count > this.retention.maxTasks || bytes > this.retention.maxBytes) {
        const batch = this.stmt.oldestFinished.all(Math.max(1, Math.min(500, count - this.retention.maxTasks)));
        if (batch.length === 0) break;
        for (const row of batch) {
          if (count <= this.retention.maxTasks && bytes <= this.retention.maxBytes) break;
          remove(row);
        }
      }
      this.finished = { count: Math.max(0, count), bytes: Math.max(0, bytes) };
    });
    return removed;
  }

  // ---- sessions ----

  getSession(id: string): StoredSession | undefined {
    const row = this.stmt.session.get(id);
    return row ? { id: row.id, createdAt: row.created_at, lastUsedAt: row.last_used_at, turns: row.turns, tokensUsed: row.tokens_used } : undefined;
  }

  putSession(session: StoredSession): void {
    this.write(() => {
      if (!this.stmt.session.get(session.id)) this.sessionTotal += 1;
      this.stmt.putSession.run(session);
    });
  }

  deleteSession(id: string): boolean {
    const deleted = this.write(() => this.stmt.deleteSession.run(id).changes > 0);
    if (deleted) this.sessionTotal -= 1;
    return deleted;
  }

  expireSessions(before: number): void {
    this.sessionTotal -= this.write(() => this.stmt.expireSessions.run(before).changes);
  }

  /** Sessions stored (expired ones included until expireSessions deletes them); a running total. */
  get sessionCount(): number {
    return this.sessionTotal;
  }

  // ---- artifacts (content-addressed) ----

  /** Stores bytes under their sha256 (idempotent); evicts least recently used artifacts beyond the byte limit. */
  putArtifact(bytes: Buffer, contentType: string, at = this.now()): StoredArtifactMeta {
    const id = createHash('sha256').update(bytes).digest('hex');
    const existing = this.stmt.artifact.get(id);
    if (existing) {
      this.write(() => this.stmt.touchArtifact.run(at, id));
      return { id, contentType: existing.content_type, size: existing.size, createdAt: existing.created_at };
    }
    if (this.blobDir) {
      // temp + rename: a reader (or a restart) sees either no file or the whole file, never a torn one.
      const dir = join(this.blobDir, id.slice(0, 2));
      mkdirSync(dir, { recursive: true });
      const temp = join(dir, `.${id}.${process.pid}.tmp`);
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, bytes);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, join(dir, id));
    } else {
      // An exact-size copy: a small request body is a slice of a shared slab, which it would keep alive whole.
      const copy = Buffer.allocUnsafeSlow(bytes.length);
      bytes.copy(copy);
      this.memoryBlobs.set(id, copy);
    }
    this.write(() => this.stmt.putArtifact.run(id, contentType, bytes.length, at, at));
    this.artifactTotals.count += 1;
    this.artifactTotals.bytes += bytes.length;
    this.evictArtifacts(id);
    return { id, contentType, size: bytes.length, createdAt: at };
  }

  getArtifact(id: string, at = this.now()): (StoredArtifactMeta & { bytes: Buffer }) | undefined {
    const row = this.stmt.artifact.get(id);
    if (!row) return this.transcript(id);
    let bytes: Buffer | undefined;
    if (this.blobDir) {
      try {
        bytes = readFileSync(join(this.blobDir, id.slice(0, 2), id));
      } catch {
        bytes = undefined;
      }
    } else bytes = this.memoryBlobs.get(id);
    if (!bytes) {
      this.deleteArtifactRow(id, row.size);
      return undefined;
    }
    this.write(() => this.stmt.touchArtifact.run(at, id));
    return { id, contentType: row.content_type, size: row.size, createdAt: row.created_at, bytes };
  }

  /** Stored artifacts (uploads; transcripts are rendered from their task's frames and not counted here). */
  artifactStats(): { count: number; bytes: number } {
    return { ...this.artifactTotals };
  }

  /** A finished task's SSE transcript, rendered from its frames (the same bytes the live stream sent, minus `started`). */
  private transcript(id: string): (StoredArtifactMeta & { bytes: Buffer }) | undefined {
    const task = this.stmt.transcriptOf.get(id);
    if (!task) return undefined;
    const bytes = Buffer.from(this.stmt.frames.all(task.id, -1).map((frame) => `event: ${frame.event}\ndata: ${frame.data}\n\n`).join(''));
    return { id, contentType: 'text/event-stream', size: bytes.length, createdAt: task.finished_at, bytes };
  }

  private evictArtifacts(keep: string): void {
    while (this.artifactTotals.bytes > this.artifactsMaxBytes) {
      const oldest = this.stmt.oldestArtifacts.all().filter((row) => row.id !== keep);
      if (oldest.length === 0) return;
      for (const row of oldest) {
        if (this.artifactTotals.bytes <= this.artifactsMaxBytes) return;
        this.deleteArtifactRow(row.id, row.size);
        if (this.blobDir) rmSync(join(this.blobDir, row.id.slice(0, 2), row.id), { force: true });
        else this.memoryBlobs.delete(row.id);
      }
    }
  }

  // ---- stored responses (the OpenAI Responses API's `store`, read back by id and previous_response_id) ----

  getResponse<T>(id: string): T | undefined {
    const row = this.stmt.responseGet.get(id);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /**
   * Kept under the task retention limits, counted on their own: older than maxAgeMs, more than maxTasks or more
   * than maxBytes of them and the oldest go (running totals; no aggregate query per write).
   */
  putResponse(id: string, value: unknown, at = this.now()): void {
    const text = JSON.stringify(value);
    this.write(() => {
      const previous = this.stmt.responseSize.get(id)?.n;
      this.stmt.responsePut.run(id, at, text);
      this.responseTotals.count += previous === undefined ? 1 : 0;
      this.responseTotals.bytes += Buffer.byteLength(text) - (previous ?? 0);
    });
    this.responsesSincePrune += 1;
    const { count, bytes } = this.responseTotals;
    if (this.responsesSincePrune >= 100 || count > this.retention.maxTasks || bytes > this.retention.maxBytes) this.pruneResponses(id);
  }

  deleteResponse(id: string): boolean {
    return this.write(() => {
      const size = this.stmt.responseSize.get(id)?.n;
      if (size === undefined) return false;
      this.stmt.responseDelete.run(id);
      this.responseTotals.count -= 1;
      this.responseTotals.bytes -= size;
      return true;
    });
  }

  private pruneResponses(keep: string): void {
    this.responsesSincePrune = 0;
    const remove = (row: { id: string; n: number }) => {
      this.stmt.responseDelete.run(row.id);
      this.responseTotals.count -= 1;
      this.responseTotals.bytes -= row.n;
    };
    this.write(() => {
      for (;;) {
        const old = this.stmt.responsesOlderThan.all(this.now() - this.retention.maxAgeMs);
        for (const row of old) remove(row);
        if (old.length < 500) break;
      }
      const over = () => this.responseTotals.count > this.retention.maxTasks || this.responseTotals.bytes > this.retention.maxBytes;
      while (over()) {
        const oldest = this.stmt.oldestResponses.all().filter((row) => row.id !== keep);
        if (oldest.length === 0) break;
        for (const row of oldest) {
          if (!over()) break;
          remove(row);
        }
      }
    });
  }

  private deleteArtifactRow(id: string, size: number): void {
    if (this.write(() => this.stmt.deleteArtifact.run(id).changes) === 0) return;
    this.artifactTotals.count -= 1;
    this.artifactTotals.bytes -= size;
  }

  // ---- catalog entries ----

  getCatalog<T>(key: string): T | undefined {
    const row = this.stmt.catalogGet.get(key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  putCatalog(key: string, value: unknown): void {
    this.write(() => this.stmt.catalogPut.run(key, JSON.stringify(value), this.now()));
  }

  catalogEntries<T>(): { key: string; value: T }[] {
    return this.stmt.catalogAll.all().map((row) => ({ key: row.key, value: JSON.parse(row.value) as T }));
  }

  /** Commits pending frames and releases the data dir (an in-memory store stays readable until it is collected). */
  /**
   * Flushes and closes the database and releases the folder's lock at once; the promise resolves when the checkpoint
   * worker has closed its connection too (SQLite's last close removes the -wal and -shm files), so the folder may be
   * deleted after it.
   */
  close(): Promise<void> {
    if (this.closed) return this.released;
    this.flush();
    if (this.dataDir === undefined) return this.released;
    this.closed = true;
    this.released = this.checkpointer?.close() ?? this.released;
    this.db.close();
    if (this.lockFile) rmSync(this.lockFile, { force: true });
    return this.released;
  }

  /**
   * Runs `body` as one transaction: the writes inside (admit, markRunning, ...) commit together when it returns, or
   * not at all when it throws. Nested batches join the outer one.
   */
  batch<T>(body: () => T): T {
    if (this.batchDepth > 0) return body();
    this.batchDepth += 1;
    let result: T;
    try {
      result = this.write(body);
    } catch (error) {
      this.afterCommit = [];
      throw error;
    } finally {
      this.batchDepth -= 1;
    }
    this.checkpointer?.noteWrite();
    const callbacks = this.afterCommit;
    this.afterCommit = [];
    for (const callback of callbacks) callback();
    return result;
  }

  /** Calls `callback` once what was written so far is committed: at once outside a batch, else after its commit. */
  whenCommitted(callback: () => void): void {
    if (this.batchDepth > 0) this.afterCommit.push(callback);
    else callback();
  }

  private write<T>(body: () => T): T {
    if (this.closed) throw storeError('the state store is closed', this.dataDir);
    // Inside a batch this is a savepoint of the batch's transaction.
    const result = this.db.transaction(body)();
    if (this.batchDepth === 0) this.checkpointer?.noteWrite();
    return result;
  }
}

function toStoredTask(row: TaskRow, withSpec: boolean): StoredTask {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    priority: row.priority,
    engineKey: row.engine_key,
    idempotent: row.idempotent === 1,
    attempts: row.attempts,
    enqueuedAt: row.enqueued_at,
    ...(row.started_at !== null ? { startedAt: row.started_at } : {}),
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
    ...(row.error_code !== null ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
    ...(row.transcript_artifact !== null ? { transcriptArtifact: row.transcript_artifact } : {}),
    frameCount: row.frame_count,
    ...(withSpec && row.spec ? { spec: deserialize(row.spec) } : {}),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function storeError(message: string, dataDir: string | undefined, cause?: unknown): SwitchyardError {
  return new SwitchyardError({ code: 'CONFIG_INVALID', message, details: { field: 'server.dataDir', ...(dataDir ? { dataDir } : {}) }, ...(cause ? { cause } : {}) });
}

/** One process per data dir: a second server on the same dir fails with the owner's pid instead of sharing state. */
function acquireLock(lockFile: string, dataDir: string): void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(`server.dataDir '${dataDir}': cannot create ${lockFile}: ${(error as Error).message}`, dataDir, error);
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw storeError(`server.dataDir '${dataDir}' is in use by process ${owner}; give each server its own dataDir (or use queue.redis for several nodes)`, dataDir);
      }
      // Stale lock of a process that died (kill -9): take it over.
      try {
        unlinkSync(lockFile);
      } catch {
        // raced with another starter; retry once
      }
    }
  }
  throw storeError(`server.dataDir '${dataDir}': could not take ${lockFile}`, dataDir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
