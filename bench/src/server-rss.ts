/**
 * RSS of the server under a mixed soak: `node --expose-gc --import tsx bench/src/server-rss.ts [--minutes 3]
 * [--durable] [--artifacts-mb N]` (default 1 minute for CI; SERVER_RSS_SECONDS overrides). The server runs with
 * the documented retention and artifact defaults; `--durable` soaks the server with a dataDir (what `switchyard
 * serve` runs by default), else the in-memory one. Load at a fixed concurrency: tasks + SSE, chat completions,
 * tasks for distinct never-seen model names, artifact uploads and malformed requests. RSS is sampled every 2 s
 * (no forced GC); with --expose-gc the live heap after a full GC is probed every 30 s (a separate sample, so the
 * RSS curve is not smoothed by collections the server would not do). Passes when every RSS sample after the
 * warm-up (the first third) is within ±15% of the post-warm-up median.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childRss, expectOk, send, startTarget, stopTarget } from './server-load-client.js';

const minutesFlag = process.argv.indexOf('--minutes');
const seconds = minutesFlag > 0 ? Number(process.argv[minutesFlag + 1]) * 60 : Number(process.env.SERVER_RSS_SECONDS ?? 60);
const durable = process.argv.includes('--durable');
const CONCURRENCY = 16;
process.env.SERVER_BENCH_DEFAULT_RETENTION = '1';
// --artifacts-mb N: cap the artifact store (default: the server default).
const artifactsFlag = process.argv.indexOf('--artifacts-mb');
if (artifactsFlag > 0) process.env.SERVER_BENCH_ARTIFACTS_MB = process.argv[artifactsFlag + 1];
const target = await startTarget();
const base = durable ? target.oursDurable : target.ours;
const messages = [{ role: 'user', content: 'Summarise the quarterly report in one line.' }];
const deadline = Date.now() + seconds * 1000;
let completed = 0;

async function worker(id: number): Promise<void> {
  for (let i = 0; Date.now() < deadline; i += 1) {
    const kind = (id + i) % 6;
    if (kind === 0 || kind === 1) {
      // kind 1: a model name nobody used before (caches keyed by name must stay bounded)
      const admitted = await send(`${base}/v2/tasks`, 'POST', { model_ref: kind === 0 ? 'bench' : `unknown-${id}-${i}`, prompt: `task ${id}-${i}` });
      expectOk(admitted, 'POST /v2/tasks', 'task_id');
      expectOk(await send(`${base}${(JSON.parse(admitted.body) as { streams: { sse: string } }).streams.sse}`, 'GET'), 'SSE', 'event: end');
    } else if (kind === 2 || kind === 3) {
      expectOk(await send(`${base}/v1/chat/completions`, 'POST', { model: 'bench', messages }), 'chat', 'chat.completion');
    } else if (kind === 4) {
      expectOk(await send(`${base}/v2/artifacts`, 'POST', { blob: `${id}-${i}-${'x'.repeat(1024)}` }), 'artifact', 'sha256');
    } else {
      const bad = await send(`${base}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: 'x', deadline_ms: 2 ** 31 });
      if (bad.status !== 400) throw new Error(`malformed task: expected 400, got ${bad.status}`);
    }
    completed += 1;
  }
}

const mb = (bytes: number) => Math.round(bytes / 1048576);
const samples: { t: number; rssMb: number; heapMb: number; externalMb: number; requests: number }[] = [];
const liveHeap: { t: number; heapAfterGcMb: number; artifacts: number; artifactMb: number; finishedTasks: number }[] = [];
const started = Date.now();
const elapsed = () => Math.round((Date.now() - started) / 1000);
const sampler = setInterval(() => {
  void childRss(target).then(({ rss, heapUsed, external }) => {
    samples.push({ t: elapsed(), rssMb: mb(rss), heapMb: mb(heapUsed), externalMb: mb(external), requests: completed });
    process.stdout.write(`\r${samples.at(-1)!.t}s rss ${samples.at(-1)!.rssMb} MB heap ${samples.at(-1)!.heapMb} MB, ${completed} requests   `);
  });
}, 2000);
const gcProbe = (globalThis as { gc?: unknown }).gc
  ? setInterval(() => {
      void childRss(target, { gc: true }).then((m) => {
        const kept = durable ? m.durable : m;
        liveHeap.push({ t: elapsed(), heapAfterGcMb: mb(m.heapUsed), artifacts: kept.artifacts.count, artifactMb: mb(kept.artifacts.bytes), finishedTasks: kept.finishedTasks });
      });
    }, 30_000)
  : undefined;
await Promise.all(Array.from({ length: CONCURRENCY }, (_, id) => worker(id)));
clearInterval(sampler);
if (gcProbe) clearInterval(gcProbe);
await stopTarget(target);

const warmupSeconds = Math.round(seconds / 3);
const settled = samples.filter((s) => s.t > warmupSeconds).map((s) => s.rssMb);
const sorted = [...settled].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
const band = { low: Math.min(...settled), high: Math.max(...settled) };
const maxDeviation = median > 0 ? Math.max(median - band.low, band.high - median) / median : 0;
const artifactsMb = process.env.SERVER_BENCH_ARTIFACTS_MB ? Number(process.env.SERVER_BENCH_ARTIFACTS_MB) : undefined;
const result = {
  name: 'server-rss',
  date: new Date().toISOString(),
  node: process.version,
  seconds,
  concurrency: CONCURRENCY,
  server: durable ? 'durable (dataDir)' : 'in-memory',
  requests: completed,
  reqPerSec: Math.round(completed / seconds),
  artifactsMaxMb: artifactsMb ?? 'server default',
  mix: 'tasks+SSE 1/6, unknown-model tasks+SSE 1/6, chat 2/6, artifact upload 1/6, malformed task 1/6',
  startRssMb: samples[0]?.rssMb ?? 0,
  peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
  warmupSeconds,
  settledMedianRssMb: median,
  settledMinRssMb: band.low,
  settledMaxRssMb: band.high,
  maxDeviationPercent: Number((maxDeviation * 100).toFixed(1)),
  steady: maxDeviation <= 0.15,
  liveHeap,
  samples,
};
console.log(`\n${JSON.stringify({ ...result, samples: undefined })}`);
const name = `server-rss${durable ? '-durable' : ''}${artifactsMb !== undefined ? `-artifacts-${artifactsMb}mb` : ''}.json`;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', name);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${out}`);
if (!result.steady) process.exit(1);
