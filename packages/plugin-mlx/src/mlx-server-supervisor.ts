import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { SwitchyardError } from '@switchyard/spec';
import type { PluginLogger } from '@switchyard/spec';

export type MlxServerState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface MlxSupervisorOptions {
  readonly engineId: string;
  /** Full command (executable + args) without the port. */
  readonly command: readonly string[];
  readonly port?: number;
  readonly readinessTimeoutMs: number;
  readonly probeIntervalMs: number;
  readonly maxRestarts: number;
  readonly restartBaseDelayMs: number;
  readonly restartMaxDelayMs: number;
  readonly stopTimeoutMs: number;
  readonly logger?: PluginLogger;
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Deferred {
  resolve(): void;
  reject(error: unknown): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs an mlx-lm server child process: spawn, wait until `GET /v1/models` answers, pipe its output into the
 * logger, restart it with exponential backoff when it dies, and stop it (SIGTERM, then SIGKILL) on stop().
 */
export class MlxServerSupervisor {
  readonly #options: MlxSupervisorOptions;
  #state: MlxServerState = 'idle';
  #child: ChildProcess | undefined;
  #port: number | undefined;
  #ready: Promise<void> | undefined;
  #restarts = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #pending: Deferred | undefined;
  #lastExit: string | undefined;
  #lastError: string | undefined;
  readonly #recentOutput: string[] = [];

  constructor(options: MlxSupervisorOptions) {
    this.#options = options;
  }

  get state(): MlxServerState {
    return this.#state;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get url(): string | undefined {
    return this.#port === undefined ? undefined : `http://127.0.0.1:${this.#port}`;
  }
  get status(): Record<string, unknown> {
    return { state: this.#state, pid: this.pid, url: this.url, restarts: this.#restarts, lastExit: this.#lastExit, lastError: this.#lastError };
  }

  /** Starts the server if it is not running and resolves when it is ready (shared by concurrent callers). */
  async ensureReady(): Promise<void> {
    if (this.#state === 'stopped') throw this.#unavailable('the MLX server has been stopped');
    if (this.#state === 'failed') throw this.#unavailable(`the MLX server failed: ${this.#lastError ?? 'unknown reason'}`);
    if (this.#state === 'idle') {
      const deferred = this.#deferred();
      this.#start().then(deferred.resolve, (error: unknown) => this.#afterFailedStart(error, deferred));
    }
    await this.#ready;
  }

  /** A fresh readiness promise that ensureReady() callers wait on; stop() rejects it. */
  #deferred(): Deferred {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    this.#ready = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#ready.catch(() => undefined);
    this.#pending = { resolve, reject };
    return this.#pending;
  }

  /** A child that exited before it was ready is restarted like a crash; a readiness timeout is final. */
  #afterFailedStart(error: unknown, deferred: Deferred): void {
    if (this.#state === 'stopped' || this.#lastError?.startsWith('no answer')) deferred.reject(error);
    else this.#scheduleRestart(deferred);
  }

  async #start(): Promise<void> {
    if (this.#state !== 'restarting') this.#state = 'starting';
    this.#port ??= this.#options.port ?? (await findFreePort());
    const [executable, ...args] = this.#options.command;
    const child = spawn(executable!, [...args, '--host', '127.0.0.1', '--port', String(this.#port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#capture(child);
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(`could not start '${executable}': ${error.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
    });
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
    child.once('error', (error) => this.#onExit(child, null, null, error));
    const outcome = await Promise.race([this.#waitReady(), exited.then((why) => ({ exited: why }))]);
    if (outcome !== 'ready') {
      const why = typeof outcome === 'object' ? outcome.exited : `no answer on ${this.url}/v1/models within ${this.#options.readinessTimeoutMs} ms`;
      this.#lastError = `${why}${this.#recentOutput.length ? `; last output: ${this.#recentOutput.slice(-3).join(' | ')}` : ''}`;
      if (typeof outcome !== 'object') await this.#kill(child);
      if (!this.#isStopped()) this.#state = 'failed';
      throw this.#unavailable(`the MLX server did not become ready: ${this.#lastError}`);
    }
    if (this.#child !== child || this.#isStopped()) throw this.#unavailable('the MLX server was stopped while starting');
    this.#state = 'ready';
    this.#restarts = 0;
    this.#lastError = undefined;
    this.#options.logger?.info({ engine: this.#options.engineId, pid: child.pid, url: this.url }, 'MLX server ready');
  }

  async #waitReady(): Promise<'ready' | 'timeout'> {
    const deadline = Date.now() + this.#options.readinessTimeoutMs;
    while (Date.now() < deadline && this.#state !== 'stopped') {
      try {
        const response = await fetch(`${this.url}/v1/models`, { signal: AbortSignal.timeout(Math.max(100, this.#options.probeIntervalMs * 4)) });
        await response.arrayBuffer();
        if (response.ok) return 'ready';
      } catch {
        // not listening yet
      }
      await sleep(this.#options.probeIntervalMs);
    }
    return 'timeout';
  }

  #capture(child: ChildProcess): void {
    for (const [stream, level] of [[child.stdout, 'info'], [child.stderr, 'warn']] as const) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.#recentOutput.push(line);
        if (this.#recentOutput.length > 20) this.#recentOutput.shift();
        this.#options.logger?.[level]({ engine: this.#options.engineId, pid: child.pid, stream: level === 'info' ? 'stdout' : 'stderr' }, line);
      });
    }
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    if (this.#child !== child) return;
    this.#lastExit = error ? error.message : signal ? `signal ${signal}` : `code ${code}`;
    if (this.#state !== 'ready') return; // start-up failures are reported by #start
    this.#child = undefined;
    this.#options.logger?.warn({ engine: this.#options.engineId, exit: this.#lastExit }, 'MLX server exited unexpectedly');
    this.#scheduleRestart();
  }

  #scheduleRestart(existing?: Deferred): void {
    const deferred = existing ?? this.#deferred();
    if (this.#restarts >= this.#options.maxRestarts) {
      this.#state = 'failed';
      const output = this.#recentOutput.length ? `; last output: ${this.#recentOutput.slice(-3).join(' | ')}` : '';
      this.#lastError = `exited ${this.#restarts + 1} times in a row (last: ${this.#lastExit})${output}`;
      deferred.reject(this.#unavailable(`the MLX server keeps exiting: ${this.#lastError}`));
      return;
    }
    const delay = Math.min(this.#options.restartMaxDelayMs, this.#options.restartBaseDelayMs * 2 ** this.#restarts);
    this.#restarts++;
    this.#state = 'restarting';
    this.#options.logger?.info({ engine: this.#options.engineId, attempt: this.#restarts, delayMs: delay }, 'restarting MLX server');
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#start().then(deferred.resolve, (error: unknown) => this.#afterFailedStart(error, deferred));
    }, delay);
  }

  /** Stops the server: SIGTERM, then SIGKILL after stopTimeoutMs. Idempotent. */
  async stop(): Promise<void> {
    this.#state = 'stopped';
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#pending?.reject(this.#unavailable('the MLX server has been stopped'));
    const child = this.#child;
    this.#child = undefined;
    if (child) await this.#kill(child);
  }

  async #kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.#options.stopTimeoutMs)))]);
    clearTimeout(timer);
    if (!killed) {
      this.#options.logger?.warn({ engine: this.#options.engineId, pid: child.pid }, 'MLX server ignored SIGTERM; sending SIGKILL');
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Read through a method so TypeScript does not narrow the state across awaits. */
  #isStopped(): boolean {
    return this.#state === 'stopped';
  }

  #unavailable(reason: string): SwitchyardError {
    return new SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: `${this.#options.engineId}: ${reason}`, details: { engine: this.#options.engineId, ...this.status } });
  }
}
