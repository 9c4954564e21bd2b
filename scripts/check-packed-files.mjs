#!/usr/bin/env node
// prepack of every published package: refuses to pack when a file its manifest points at (exports, main, types,
// bin) is missing, e.g. dist/ before a build or while one is rewriting it. A tarball without dist/ would install and
// then fail in the user's app.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const targets = new Set();
const collect = (value) => {
  if (typeof value === 'string') targets.add(value);
  else if (value && typeof value === 'object') {
    for (const [condition, inner] of Object.entries(value)) if (condition !== '@switchyard/source') collect(inner);
  }
};
collect(manifest.exports);
collect(manifest.main);
collect(manifest.types);
collect(manifest.bin);
const missing = [...targets].filter((target) => !target.includes('*')).filter((target) => !existsSync(join(process.cwd(), target)));
if (missing.length > 0) {
  console.error(`${manifest.name}: cannot pack, missing ${missing.join(', ')}: run \`npm run build\` at the repo root first (and let it finish)`);
  process.exit(1);
}
