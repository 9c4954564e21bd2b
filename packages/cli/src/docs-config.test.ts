import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA } from '@switchyard/core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test/run-cli.js';

// The configs the guides tell a user to write must pass `switchyard validate` as written, in a fresh app, and the
// config reference must list exactly the top-level sections the schema takes.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const doc = (name: string): string => readFileSync(join(repo, 'docs', name), 'utf8');

/** The first ```yaml block after `heading` (a line of the doc). */
function yamlAfter(text: string, heading: string): string {
  const from = text.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const block = /```yaml\n([\s\S]*?)```/.exec(text.slice(from));
  return block![1]!;
}

describe('the docs configs are true', () => {
  it('the getting-started step 2 and model-packs configs validate in a fresh app (they listed dirs: [models], which no step creates)', async () => {
    for (const [name, heading] of [['getting-started.md', '## 2. Write a config'], ['model-packs.md', '## Using a pack in an app']] as const) {
      const app = mkdtempSync(join(tmpdir(), 'cli-docs-config-'));
      try {
        // The packs and plugins installed as step 1 says (the workspace's node_modules stand in for npm install).
        symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');
        writeFileSync(join(app, 'switchyard.config.yaml'), yamlAfter(doc(name), heading));
        const run = await runCli(['validate', '--no-plugins', app]);
        expect(run.err, name).toBe('');
        expect(run.exitCode, name).toBe(0);
      } finally {
        rmSync(app, { recursive: true, force: true });
      }
    }
  });

  it('docs/config.md lists exactly the top-level sections the schema takes (it listed `pipelines`, which the schema refuses)', () => {
    const table = doc('config.md').split('## Top-level sections')[1]!.split('\n### ')[0]!;
    const documented = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!);
    expect(documented.sort()).toEqual(Object.keys((CONFIG_SCHEMA as { properties: Record<string, unknown> }).properties).sort());
  });
});
