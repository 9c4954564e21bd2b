import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SwitchyardError } from '@switchyard/spec';

export type TaskState = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';

export interface TaskRecord {
  readonly id: string;
  readonly kind: string;
  readonly state: TaskState;
  readonly updatedAt: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface TaskTransition {
  readonly id: string;
  readonly kind: string;
  readonly from: TaskState | null;
  readonly to: TaskState;
  readonly at: string;
  readonly error?: { readonly code: string; readonly message: string };
}

const ALLOWED: Readonly<Record<TaskState | 'new', readonly TaskState[]>> = {
  new: ['queued'],
  queued: ['running', 'canceled'],
  running: ['completed', 'failed', 'canceled'],
  completed: [],
  failed: [],
  canceled: [],
};

const TERMINAL = new Set<TaskState>(['completed', 'failed', 'canceled']);

/**
 * Task lifecycle `queued -> running -> completed|failed|canceled`. Every transition is appended to
 * `transitions.jsonl`; the current state of all non-terminal tasks is rewritten atomically to `state.json`
 * (temp file + rename), so after a crash `recover()` reports what was in flight.
 */
export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private writes: Promise<void> = Promise.resolve();
  private ready: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get logFile(): string {
    return join(this.dir, 'transitions.jsonl');
  }
  get stateFile(): string {
    return join(this.dir, 'state.json');
  }

  /** Tasks that were queued or running when the previous process stopped (read from state.json). */
  async recover(): Promise<TaskRecord[]> {
    let text: string;
    try {
      text = await readFile(this.stateFile, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { tasks?: TaskRecord[] };
      return (parsed.tasks ?? []).filter((t) => !TERMINAL.has(t.state));
    } catch (error) {
      throw new SwitchyardError({ code: 'INTERNAL', message: `${this.stateFile}: corrupt task state: ${(error as Error).message}`, details: { file: this.stateFile }, cause: error });
    }
  }

  get(id: string): TaskRecord | undefined {
    return this.tasks.get(id);
  }

  /** In-memory view of non-terminal tasks. */
  inFlight(): TaskRecord[] {
    return [...this.tasks.values()].filter((t) => !TERMINAL.has(t.state));
  }

  /** Records a transition; illegal ones (e.g. completed -> running) throw. Resolves when it is on disk. */
  transition(id: string, kind: string, to: TaskState, error?: unknown): Promise<void> {
    const current = this.tasks.get(id);
    const from = current?.state ?? null;
    if (!ALLOWED[from ?? 'new'].includes(to)) {
      return Promise.reject(
        new SwitchyardError({ code: 'INTERNAL', message: `task '${id}': illegal transition ${from ?? '(new)'} -> ${to}`, details: { task: id, from, to } }),
      );
    }
    const at = this.now().toISOString();
    const summary = error === undefined ? undefined : summarize(error);
    const record: TaskRecord = { id, kind, state: to, updatedAt: at, ...(summary ? { error: summary } : {}) };
    this.tasks.set(id, record);
    const transition: TaskTransition = { id, kind, from, to, at, ...(summary ? { error: summary } : {}) };
    const snapshot = JSON.stringify({ updatedAt: at, tasks: this.inFlight() });
    if (TERMINAL.has(to)) this.tasks.delete(id);
    const write = async () => {
      this.ready ??= mkdir(this.dir, { recursive: true }).then(() => undefined);
      await this.ready;
      await appendFile(this.logFile, `${JSON.stringify(transition)}\n`);
      const temp = `${this.stateFile}.${process.pid}.tmp`;
      await writeFile(temp, snapshot);
      await rename(temp, this.stateFile);
    };
    this.writes = this.writes.then(write, write);
    return this.writes;
  }

  /** Waits for pending writes. */
  flush(): Promise<void> {
    return this.writes;
  }
}

function summarize(error: unknown): { code: string; message: string } {
  if (SwitchyardError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
