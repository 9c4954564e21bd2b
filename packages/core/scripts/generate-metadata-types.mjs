#!/usr/bin/env node
// Writes core's model-metadata types and schema module from schemas/model-metadata.schema.json:
//   src/template-executor/model-metadata.generated.ts         (TypeScript types, json-schema-to-typescript)
//   src/template-executor/model-metadata-schema.generated.ts  (the schema as a module, so core needs no file at run time)
// `--check` writes nothing and exits 1 when either file differs (metadata-types.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';
import { format } from 'prettier';

const schemaFile = fileURLToPath(new URL('../../../schemas/model-metadata.schema.json', import.meta.url));
const outDir = new URL('../src/template-executor/', import.meta.url);
const BANNER =
  '// Generated from schemas/model-metadata.schema.json by packages/core/scripts/generate-metadata-types.mjs. Do not edit.';
const PRETTIER = { parser: 'typescript', singleQuote: true, printWidth: 120, trailingComma: 'all' };

const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
const types = await compile(structuredClone(schema), 'ModelMetadata', {
  bannerComment: '',
  additionalProperties: false,
  unreachableDefinitions: true,
  format: false,
  declareExternallyReferenced: true,
});
const files = {
  'model-metadata.generated.ts': `${BANNER}\n/* eslint-disable */\n\n${types}`,
  'model-metadata-schema.generated.ts':
    `${BANNER}\n\n/** schemas/model-metadata.schema.json */\n` +
    `export const MODEL_METADATA_SCHEMA = ${JSON.stringify(schema)} as const satisfies object;\n`,
};

const check = process.argv.includes('--check');
const stale = [];
for (const [name, source] of Object.entries(files)) {
  const target = fileURLToPath(new URL(name, outDir));
  const contents = await format(source, PRETTIER);
  let current;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === contents) continue;
  stale.push(name);
  if (!check) writeFileSync(target, contents);
}
if (check && stale.length) {
  console.error(
    `stale: ${stale.join(', ')} (run node packages/core/scripts/generate-metadata-types.mjs after editing schemas/model-metadata.schema.json)`,
  );
  process.exit(1);
}
console.log(stale.length ? `wrote ${stale.join(', ')}` : 'model metadata types up to date');
