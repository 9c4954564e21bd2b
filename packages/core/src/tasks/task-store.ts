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

/**
 * The task lifecycle every durable store records: `queued -> running -> completed | failed | canceled`, plus
 * `running -> queued` (a retry after WORKER_RESET). There is one implementation, `StateStore` in
 * `@switchyard/store` (SQLite: an atomic current state plus an append-only transitions table); the server's
 * tasks and `switchyard run --pipeline --tasks-dir` both use it.
 */
export interface TaskStore {
  /** Records a transition; illegal ones (e.g. completed -> running) reject. Resolves when it is durable. */
  transition(id: string, kind: string, to: TaskState, error?: unknown): Promise<void>;
  /** Tasks that were queued or running when the previous process stopped. */
  recover(): Promise<TaskRecord[]>;
}

const ALLOWED: Readonly<Record<TaskState | 'new', readonly TaskState[]>> = {
  new: ['queued'],
  queued: ['running', 'canceled', 'failed'],
  running: ['completed', 'failed', 'canceled', 'queued'],
  completed: [],
  failed: [],
  canceled: [],
};

export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set<TaskState>(['completed', 'failed', 'canceled']);

/** Throws INTERNAL for a transition the lifecycle does not allow (`from` null = a new task). */
export function assertTaskTransition(id: string, from: TaskState | null, to: TaskState): void {
  if (!ALLOWED[from ?? 'new'].includes(to)) {
    throw new SwitchyardError({ code: 'INTERNAL', message: `task '${id}': illegal transition ${from ?? '(new)'} -> ${to}`, details: { task: id, from, to } });
  }
}

/** The `{code, message}` a transition records for an error. */
export function summarizeTaskError(error: unknown): { code: string; message: string } {
  if (SwitchyardError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}
