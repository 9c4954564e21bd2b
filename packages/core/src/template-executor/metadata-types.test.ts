import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/generate-metadata-types.mjs', import.meta.url));

it('model-metadata*.generated.ts match schemas/model-metadata.schema.json (run packages/core/scripts/generate-metadata-types.mjs)', () => {
  const out = execFileSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8' });
  expect(out).toContain('up to date');
});
