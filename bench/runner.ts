/** Runs one bench file in this process: `node --import tsx bench/runner.ts <file.bench.ts> <results dir>`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, runBenchmark, type BenchmarkDefinition } from './harness.js';

const [file, resultsDir] = process.argv.slice(2);
if (!file || !resultsDir) {
  console.error('usage: runner.ts <file.bench.ts> <results dir>');
  process.exit(2);
}
const mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: BenchmarkDefinition };
const definition = mod.default;
if (!definition || typeof definition.setup !== 'function' || typeof definition.cases !== 'object') {
  console.error(`${file}: must default-export defineBenchmark({...})`);
  process.exit(1);
}
const iterationsEnv = process.env.BENCH_ITERATIONS ? Number(process.env.BENCH_ITERATIONS) : undefined;
const result = await runBenchmark(definition, iterationsEnv ? { iterations: iterationsEnv } : {});
console.log(formatTable(result));
if (result.report) console.log(`report: ${JSON.stringify(result.report)}`);
await mkdir(resultsDir, { recursive: true });
const out = join(resultsDir, `${result.name}.json`);
await writeFile(out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${out}\n`);
