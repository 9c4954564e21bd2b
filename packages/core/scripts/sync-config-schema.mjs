#!/usr/bin/env node
// Copies schemas/config.schema.json into core (src/config/config-schema.ts) so the published package carries it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const schemaFile = fileURLToPath(new URL('../../../schemas/config.schema.json', import.meta.url));
const target = fileURLToPath(new URL('../src/config/config-schema.ts', import.meta.url));
const json = JSON.stringify(JSON.parse(readFileSync(schemaFile, 'utf8')), null, 2);
writeFileSync(
  target,
  `// Generated from schemas/config.schema.json by packages/core/scripts/sync-config-schema.mjs; do not edit.\n` +
    `// config-schema.test.ts fails when the two differ.\nexport const CONFIG_SCHEMA: Record<string, unknown> = ${json};\n`,
);
console.log(`wrote ${target}`);
