#!/usr/bin/env node
// Copies the repo's JSON schemas (schemas/*.json) into packages/core/schemas/ at build time so the published
// package ships them as plain .json files: editors use them through `$schema`
// (node_modules/@switchyard/core/schemas/config.schema.json) and tools through `@switchyard/core/schemas/<name>`.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../../../schemas/', import.meta.url));
const to = fileURLToPath(new URL('../schemas/', import.meta.url));
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from).filter((file) => file.endsWith('.schema.json'))) copyFileSync(from + name, to + name);
