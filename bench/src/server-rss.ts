/**
 * Peak RSS of the server under constant load: `node --import tsx bench/src/server-rss.ts [--minutes 5]`
 * (default 1 minute for CI; SERVER_RSS_SECONDS overrides). Load = tasks + SSE and chat completions at a fixed
 * concurrency against the child-process server; RSS is sampled every 2 s. Passes when the mean RSS of the last
 * quarter is within 15% of the second quarter's (after warm-up), i.e. memory does not keep growing.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childRss, expectOk, send, startTarget, stopTarget } from './server-load-client.js';

const minutesFlag = process.argv.indexOf('--minutes');
const seconds = minutesFlag > 0 ? Number(process.argv[minutesFlag + 1]) * 60 : Number(process.env.SERVER_RSS_SECONDS ?? 60);
const CONCURRENCY = 16;
const target = await startTarget();
const messages = [{ role: 'user', content: 'Summarise the quarterly report in one line.' }];
const deadline = Date.now() + seconds * 1000;
let completed = 0;

async function worker(id: number): Promise<void> {
  for (let i = 0; Date.now() < deadline; i += 1) {
    if ((id + i) % 2 === 0) {
      const admitted = await send(`${target.ours}/v2/tasks`, 'POST', { model_ref: 'bench', prompt: `task ${id}-${i}` });
      expectOk(admitted, 'POST /v2/tasks', 'task_id');
      expectOk(await send(`${target.ours}${(JSON.parse(admitted.body) as { streams: { sse: string } }).streams.sse}`, 'GET'), 'SSE', 'event: end');
    } else {
      expectOk(await send(`${target.ours}/v1/chat/completions`, 'POST', { model: 'bench', messages }), 'chat', 'chat.completion');
    }
    completed += 1;
  }
}

const samples: { t: number; rssMb: number; heapMb: number }[] = [];
const started = Date.now();
const sampler = setInterval(() => {
  void childRss(target).then(({ rss, heapUsed }) => {
    samples.push({ t: Math.round((Date.now() - started) / 1000), rssMb: Math.round(rss / 1048576), heapMb: Math.round(heapUsed / 1048576) });
    process.stdout.write(`\r${samples.at(-1)!.t}s rss ${samples.at(-1)!.rssMb} MB heap ${samples.at(-1)!.heapMb} MB, ${completed} requests   `);
  });
}, 2000);
await Promise.all(Array.from({ length: CONCURRENCY }, (_, id) => worker(id)));
clearInterval(sampler);
await stopTarget(target);

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const quarter = Math.max(1, Math.floor(samples.length / 4));
const early = mean(samples.slice(quarter, 2 * quarter).map((s) => s.rssMb));
const late = mean(samples.slice(-quarter).map((s) => s.rssMb));
const growth = early > 0 ? (late - early) / early : 0;
const result = {
  name: 'server-rss',
  date: new Date().toISOString(),
  seconds,
  concurrency: CONCURRENCY,
  requests: completed,
  reqPerSec: Math.round(completed / seconds),
  peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
  secondQuarterMeanRssMb: Math.round(early),
  lastQuarterMeanRssMb: Math.round(late),
  growthPercent: Number((growth * 100).toFixed(1)),
  steady: growth < 0.15,
  samples,
};
console.log(`\n${JSON.stringify({ ...result, samples: undefined })}`);
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'server-rss.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${out}`);
if (!result.steady) process.exit(1);
