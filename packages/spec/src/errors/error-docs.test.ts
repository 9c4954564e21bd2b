import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes.js';

const docs = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...docs.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!));

describe('docs/errors.md', () => {
  it.each(Object.keys(ERROR_CODES))('has a row for %s', (code) => {
    expect(documented.has(code), `add a row for ${code} to docs/errors.md`).toBe(true);
  });

  it('documents no code that does not exist', () => {
    expect([...documented].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('every code has a one-line description', () => {
    for (const [code, description] of Object.entries(ERROR_CODES)) expect(description.length, code).toBeGreaterThan(10);
  });
});
