import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Runs in a worker thread with its own connection: PASSIVE checkpoints never block the writer, and their fsyncs
// happen off the event loop.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('done');
  } catch (error) {
    parentPort.postMessage('failed: ' + (error && error.message));
  }
});
`;

/**
 * Checkpoints a WAL database from a worker thread, at most every `intervalMs` while there are writes. The writing
 * connection turns its own auto-checkpoint off, so its commits never wait for an fsync (synchronous=NORMAL syncs
 * only at checkpoints). If the worker cannot run, `onFailure` lets the caller checkpoint the usual way again.
 */
export class WalCheckpointer {
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private closed = false;
  private exited: Promise<void> | undefined;

  constructor(
    private readonly file: string,
    private readonly onFailure: (reason: string) => void,
    private readonly intervalMs = 200,
  ) {}

  /** A transaction committed: checkpoint soon. */
  noteWrite(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Stops checkpointing; resolves when the worker has closed its connection (its last write to the folder). */
  close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // Ref'd again until it exits: a caller awaiting close() is not cut off by the process ending (the worker is
    // unref'd so it never keeps an idle process alive, and a pending promise holds nothing open).
    this.worker?.ref();
    this.worker?.postMessage('close');
    return this.exited ?? Promise.resolve();
  }

  private schedule(): void {
    if (this.timer || this.running || this.closed) return;
    this.timer = setTimeout(() => this.run(), this.intervalMs);
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    if (this.closed) return;
    this.dirty = false;
    this.running = true;
    try {
      this.workerThread().postMessage('checkpoint');
    } catch (error) {
      this.fail(String((error as Error).message));
    }
  }

  private workerThread(): Worker {
    if (this.worker) return this.worker;
    // No execArgv of the parent: `--input-type=module` (node -e) would run this CommonJS source as a module.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { file: this.file, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
    worker.on('message', (message: string) => {
      this.running = false;
      if (message !== 'done') return this.fail(message);
      if (this.dirty) this.schedule();
    });
    worker.on('error', (error) => this.fail(error.message));
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // After the listeners (adding one refs the worker again): the checkpointer never keeps the process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker?.terminate();
    this.onFailure(reason);
  }
}
