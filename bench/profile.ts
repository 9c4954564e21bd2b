/**
 * CPU profile of one benchmark case: `node --import tsx bench/profile.ts <name> <case> [calls]` runs the bench's
 * setup and warm-up, then `calls` calls of that case under the V8 sampling profiler, writes the .cpuprofile to
 * bench/results/profiles/ and prints the top functions by self time (the "flame summary" of a fast-path change).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session, type Profiler } from 'node:inspector';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchmarkDefinition } from './harness.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const [name, caseName, callsArg] = process.argv.slice(2);
if (!name || !caseName) {
  console.error('usage: profile.ts <bench name> <case> [calls]');
  process.exit(2);
}
const calls = Number(callsArg ?? 20_000);
const mod = (await import(pathToFileURL(join(benchDir, 'src', `${name}.bench.ts`)).href)) as { default: BenchmarkDefinition };
const definition = mod.default;
const run = definition.cases[caseName];
if (!run) {
  console.error(`benchmark '${name}' has no case '${caseName}' (cases: ${Object.keys(definition.cases).join(', ')})`);
  process.exit(2);
}

const state = await definition.setup();
const session = new Session();
session.connect();
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
let profile: Profiler.Profile;
try {
  for (let i = 0; i < Math.min(2_000, calls); i++) await run(state);
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 50 });
  await post('Profiler.start');
  const start = performance.now();
  for (let i = 0; i < calls; i++) await run(state);
  const elapsed = performance.now() - start;
  ({ profile } = await post<{ profile: Profiler.Profile }>('Profiler.stop'));
  console.log(`${name}/${caseName}: ${calls} calls, ${((elapsed / calls) * 1000).toFixed(1)} µs/call under the profiler`);
} finally {
  await definition.teardown?.(state);
  session.disconnect();
}

// self time per function = samples whose leaf is that node, summed over nodes with the same function
const selfSamples = new Map<number, number>();
for (const id of profile.samples ?? []) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
const total = profile.samples?.length ?? 0;
const byFunction = new Map<string, number>();
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/packages\//, '');
  const key = `${functionName || '(anonymous)'}  ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + (selfSamples.get(node.id) ?? 0));
}
const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
const lines = [`${name}/${caseName}: top self time over ${total} samples`, 'self %  function'];
for (const [key, count] of top) lines.push(`${((count / total) * 100).toFixed(1).padStart(6)}  ${key}`);
console.log(lines.join('\n'));
// the summary is committed (bench/results/profiles/*.txt); the raw .cpuprofile (open it in Chrome DevTools) is not
const outDir = join(benchDir, 'results', 'profiles');
await mkdir(outDir, { recursive: true });
const out = join(outDir, `${name}-${caseName}`);
await writeFile(`${out}.cpuprofile`, JSON.stringify(profile));
await writeFile(`${out}.txt`, lines.join('\n') + '\n');
console.log(`wrote ${out}.cpuprofile and .txt`);
