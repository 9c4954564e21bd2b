import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PIPELINE_SCHEMA } from './pipeline-schema.js';

it('matches schemas/pipeline.schema.json', () => {
  const onDisk = JSON.parse(readFileSync(new URL('../../../../schemas/pipeline.schema.json', import.meta.url), 'utf8'));
  expect(PIPELINE_SCHEMA).toEqual(onDisk);
});
