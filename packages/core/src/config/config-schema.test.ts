import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CONFIG_SCHEMA } from './config-schema.js';

it('the schema shipped in core equals schemas/config.schema.json (run packages/core/scripts/sync-config-schema.mjs)', () => {
  const onDisk = JSON.parse(readFileSync(new URL('../../../../schemas/config.schema.json', import.meta.url), 'utf8')) as unknown;
  expect(CONFIG_SCHEMA).toEqual(onDisk);
});
