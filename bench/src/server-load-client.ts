/** Minimal keep-alive HTTP load client (node:http) used by the server benches; measures per-request latency. */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

export interface Target {
  readonly child: ChildProcess;
  readonly ours: string;
  /** The same server with a dataDir (durable SQLite state). */
  readonly oursDurable: string;
  readonly bare: string;
}

/** Which servers the child serves: all three (one process), or one of them alone (its own process, its own CPU time). */
export type TargetRole = 'all' | 'ours' | 'durable' | 'bare';

/** Forks a target process; a URL of a server it does not serve (its role) is ''. */
export async function startTarget(role: TargetRole = 'all'): Promise<Target> {
  const execArgv = process.env.SERVER_BENCH_CPU_PROF ? [...process.execArgv, '--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${process.env.SERVER_BENCH_CPU_PROF}`] : process.execArgv;
  const env = { ...process.env, SERVER_BENCH_ROLE: role };
  const child = fork(fileURLToPath(new URL('./server-load-target.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, env });
  const ready = await new Promise<{ ours: string; oursDurable: string; bare: string }>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { type: string; ours: string; oursDurable: string; bare: string }) => message.type === 'ready' && resolve(message));
  });
  return { child, ...ready };
}

export async function stopTarget(target: Target): Promise<void> {
  target.child.send({ type: 'close' });
  await new Promise((resolve) => target.child.once('exit', resolve));
}

export interface ChildMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** What the in-memory server (`ours`) keeps: artifacts and finished tasks. */
  readonly artifacts: { count: number; bytes: number };
  readonly finishedTasks: number;
  /** The same for the durable server (`oursDurable`). */
  readonly durable: { artifacts: { count: number; bytes: number }; finishedTasks: number };
}

/** The child's memory; `gc: true` runs a full collection first (needs --expose-gc, which the child inherits). */
export function childRss(target: Target, options: { gc?: boolean } = {}): Promise<ChildMemory> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string } & ChildMemory) => {
      if (message.type !== 'rss') return;
      target.child.off('message', onMessage);
      resolve(message);
    };
    target.child.on('message', onMessage);
    target.child.send({ type: 'rss', gc: options.gc === true });
  });
}

/** Writes a V8 heap snapshot of the child (for finding what grows). */
export function childHeapSnapshot(target: Target, file: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== 'heap-snapshot') return;
      target.child.off('message', onMessage);
      resolve();
    };
    target.child.on('message', onMessage);
    target.child.send({ type: 'heap-snapshot', file });
  });
}

/** CPU time (µs, user + system) the target process has used so far: the servers' own cost, whatever the load. */
export function childCpuUs(target: Target): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; us: number }) => {
      if (message.type !== 'cpu') return;
      target.child.off('message', onMessage);
      resolve(message.us);
    };
    target.child.on('message', onMessage);
    target.child.send({ type: 'cpu' });
  });
}

export const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One request; resolves with the full body (SSE bodies end when the server ends the stream). */
export function send(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(url, { method, agent, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `total` operations with `concurrency` workers; returns per-operation latencies (ms). */
export async function runPool(total: number, concurrency: number, operation: (index: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const index = next++;
      const start = performance.now();
      await operation(index);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

export function expectOk(response: { status: number; body: string }, what: string, mustContain?: string): void {
  if (response.status >= 300 || (mustContain !== undefined && !response.body.includes(mustContain))) {
    throw new Error(`${what}: unexpected response ${response.status} ${response.body.slice(0, 200)}`);
  }
}
