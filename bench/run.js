#!/usr/bin/env node
// `npm run bench [-- <name>...]`: runs bench/src/*.bench.ts (all, or those named) one process each through tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const srcDir = join(benchDir, 'src');
const resultsDir = join(benchDir, 'results');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));

const all = readdirSync(srcDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length))
  .sort();
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ') || '(none)'}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? wanted : all;
const runner = join(benchDir, 'runner.ts');
const failed = [];
for (const name of selected) {
  const file = join(srcDir, `${name}.bench.ts`);
  console.log(`> ${relative(process.cwd(), file)}`);
  // One process per benchmark so JIT/heap state from one does not leak into the next.
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', runner, file, resultsDir], {
    stdio: 'inherit',
    cwd: benchDir,
  });
  if (child.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
