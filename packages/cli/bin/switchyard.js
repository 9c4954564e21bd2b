#!/usr/bin/env node
// Committed launcher: npm links a package's bin only if the file exists at install time, and dist/ is built later.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('switchyard: @switchyard/cli is not built yet; run `npm run build` at the repo root first');
  process.exit(1);
}
await import(entry.href);
