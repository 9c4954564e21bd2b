import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeXybBundle } from '@switchyard/core';
import { createDirectoryCatalog } from './server-catalog.js';

const MINILM = fileURLToPath(new URL('../../../models/xybrid-minilm/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'server-xyb-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('server catalog over models.dirs', () => {
  it('lists the model of a .xyb entry and verifies its files from the extracted bundle', { timeout: 120_000 }, async () => {
    const bundle = join(work, 'minilm.xyb');
    await writeXybBundle(MINILM, bundle);
    const catalog = await createDirectoryCatalog({ modelsDirs: [bundle], appDir: work, bundleCacheDir: join(work, 'bundles') });
    expect((await catalog.list()).map((e) => e.id)).toEqual(['xybrid-minilm']);
    const report = await catalog.verify('xybrid-minilm');
    expect(JSON.stringify(report)).not.toMatch(/missing|mismatch/);
  });
});
