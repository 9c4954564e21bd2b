/**
 * Distributed mode as deployed: a private redis-server (127.0.0.1, started here), one API node process and 1, 2 or 4
 * worker processes (`distributed-node.ts`, a sleep engine: 10 ms per task, concurrency 4 each); this process is only
 * the HTTP client. One sample = a burst of BURST tasks admitted over HTTP (POST /v2/tasks with Accept:
 * text/event-stream) and followed to `end`. `report` has tasks/s and the scaling ratios, the CPU each role spent per
 * task (client, API node, workers, redis-server, from /proc and INFO), Redis commands per task (INFO commandstats,
 * script-internal calls included), and the admission -> end latency of a no-op task in Redis mode vs embedded mode.
 * DIST_CPU_PROF=<dir> runs the API node and workers under --cpu-prof.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '@switchyard/queue-bullmq';
import { startRedis, type TestRedis } from '@switchyard/queue-bullmq/test';
import { defineBenchmark, percentile } from '../harness.js';
import { expectOk, runPool, send } from './server-load-client.js';

const BURST = Number(process.env.DIST_BURST ?? 400);
const SLEEP_MS = 10;
const CONCURRENCY = 4;
const NODE = fileURLToPath(new URL('./distributed-node.ts', import.meta.url));
const PROFILE_DIR = process.env.DIST_CPU_PROF;
const TICK_MS = 1000 / 100; // USER_HZ of /proc/<pid>/stat

interface Child {
  readonly process: ChildProcess;
  readonly ready: string;
}

async function startNode(args: string[]): Promise<Child> {
  const execArgv = ['--import', 'tsx', ...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] : [])];
  const child = spawn(process.execPath, [...execArgv, NODE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /ready (\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`distributed-node ${args[0]} exited (${code})`)));
  });
  return { process: child, ready };
}

function cpuMsOf(child: Child): number {
  const stat = readFileSync(`/proc/${child.process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
}

interface Deployment {
  readonly api: Child;
  readonly workers: Child[];
}

interface Usage {
  tasks: number;
  wallMs: number;
  rates: number[];
  clientMs: number;
  apiMs: number;
  workersMs: number;
  redisMs: number;
  commands: number;
}

interface State {
  redis: TestRedis;
  probe: ReturnType<typeof connectRedis>;
  deployments: Record<string, Deployment>;
  embedded: Child;
  usage: Record<string, Usage>;
  latencies: Record<string, number[]>;
}

let prefixes = 0;
async function deploy(redis: TestRedis, workers: number, sleepMs: number): Promise<Deployment> {
  const prefix = `bench${(prefixes += 1)}`;
  const started = await Promise.all(Array.from({ length: workers }, () => startNode(['worker', redis.url, prefix, String(sleepMs), String(CONCURRENCY)])));
  return { api: await startNode(['api', redis.url, prefix]), workers: started };
}

async function oneTask(url: string): Promise<void> {
  const response = await send(`${url}/v2/tasks`, 'POST', { inputs: { json: { n: 1 } }, model_ref: 'sleep', priority: 'batch' }, { accept: 'text/event-stream' });
  expectOk(response, 'POST /v2/tasks SSE', 'event: end');
}

async function redisCounters(probe: State['probe']): Promise<{ cpuMs: number; commands: number }> {
  const [cpu, stats] = await Promise.all([probe.info('cpu'), probe.info('commandstats')]);
  const sec = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  let commands = 0;
  for (const match of stats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) commands += Number(match[1]);
  return { cpuMs: (sec('used_cpu_sys') + sec('used_cpu_user')) * 1000, commands };
}

function burst(name: string, workers: number) {
  return async (state: State) => {
    const deployment = state.deployments[name]!;
    const url = deployment.api.ready;
    const workersCpu = () => deployment.workers.reduce((sum, worker) => sum + cpuMsOf(worker), 0);
    const before = { redis: await redisCounters(state.probe), api: cpuMsOf(deployment.api), workers: workersCpu(), client: process.cpuUsage() };
    const start = performance.now();
    // Enough tasks in flight to keep every worker slot busy.
    await runPool(BURST, Math.max(16, workers * CONCURRENCY * 3), () => oneTask(url));
    const wallMs = performance.now() - start;
    const client = process.cpuUsage(before.client);
    const redis = await redisCounters(state.probe);
    const usage = (state.usage[name] ??= { tasks: 0, wallMs: 0, rates: [], clientMs: 0, apiMs: 0, workersMs: 0, redisMs: 0, commands: 0 });
    usage.tasks += BURST;
    usage.wallMs += wallMs;
    usage.rates.push((BURST / wallMs) * 1000);
    usage.clientMs += (client.user + client.system) / 1000;
    usage.apiMs += cpuMsOf(deployment.api) - before.api;
    usage.workersMs += workersCpu() - before.workers;
    usage.redisMs += redis.cpuMs - before.redis.cpuMs;
    usage.commands += redis.commands - before.redis.commands - 2; // the two INFO calls
  };
}

function latency(name: string, url: (state: State) => string) {
  return async (state: State) => {
    const latencies = await runPool(50, 1, () => oneTask(url(state)));
    (state.latencies[name] ??= []).push(...latencies);
  };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export default defineBenchmark({
  name: 'distributed-scaling',
  warmup: 1,
  iterations: 5,
  setup: async (): Promise<State> => {
    const redis = await startRedis();
    const deployments: Record<string, Deployment> = {
      workers1: await deploy(redis, 1, SLEEP_MS),
      workers2: await deploy(redis, 2, SLEEP_MS),
      workers4: await deploy(redis, 4, SLEEP_MS),
      noopRedis: await deploy(redis, 1, 0),
    };
    const embedded = await startNode(['embedded', String(CONCURRENCY)]);
    return { redis, probe: connectRedis(redis.url), deployments, embedded, usage: {}, latencies: {} };
  },
  cases: {
    workers1: burst('workers1', 1),
    workers2: burst('workers2', 2),
    workers4: burst('workers4', 4),
    noopRedisLatency: latency('noopRedis', (state) => state.deployments.noopRedis!.api.ready),
    noopEmbeddedLatency: latency('noopEmbedded', (state) => state.embedded.ready),
  },
  baseline: 'workers1',
  report: async (state) => {
    // The harness's first (warm-up) round is in `usage` too; rates are per sample, so report their median.
    const rate = (name: string) => {
      const sorted = [...state.usage[name]!.rates].sort((a, b) => a - b);
      return Math.round(percentile(sorted, 50));
    };
    const perTask = (name: string) => {
      const usage = state.usage[name]!;
      return {
        clientCpuMs: round(usage.clientMs / usage.tasks, 3),
        apiCpuMs: round(usage.apiMs / usage.tasks, 3),
        workersCpuMs: round(usage.workersMs / usage.tasks, 3),
        redisCpuMs: round(usage.redisMs / usage.tasks, 3),
        redisCommands: round(usage.commands / usage.tasks, 1),
      };
    };
    const lat = (name: string) => {
      const sorted = [...(state.latencies[name] ?? [])].sort((a, b) => a - b);
      return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
    };
    const tasksPerSec = { workers1: rate('workers1'), workers2: rate('workers2'), workers4: rate('workers4') };
    return {
      burst: BURST,
      sleepMs: SLEEP_MS,
      concurrencyPerWorker: CONCURRENCY,
      idealTasksPerSec: { workers1: (1000 / SLEEP_MS) * CONCURRENCY, workers2: (2000 / SLEEP_MS) * CONCURRENCY, workers4: (4000 / SLEEP_MS) * CONCURRENCY },
      note: 'separate processes on one 2-core machine: redis-server, one API node, N workers, and this process as the HTTP client (POST /v2/tasks with Accept: text/event-stream, admission -> end); tasks/s = median of the samples',
      tasksPerSec,
      scaling: { from1to2: round(tasksPerSec.workers2 / tasksPerSec.workers1), from1to4: round(tasksPerSec.workers4 / tasksPerSec.workers1) },
      cpuPerTask: { workers1: perTask('workers1'), workers2: perTask('workers2'), workers4: perTask('workers4') },
      noopAdmissionToEnd: { redis: lat('noopRedis'), embedded: lat('noopEmbedded') },
    };
  },
  teardown: async (state) => {
    const children = [...Object.values(state.deployments).flatMap((deployment) => [deployment.api, ...deployment.workers]), state.embedded];
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.process.exitCode !== null) return resolve();
            const timer = setTimeout(() => child.process.kill('SIGKILL'), 5000);
            child.process.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.process.kill('SIGTERM');
          }),
      ),
    );
    state.probe.disconnect();
    await state.redis.stop();
  },
});
