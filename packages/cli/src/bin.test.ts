import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The real binary (bin.ts on the TypeScript sources), not the in-process runCli helper that mirrors it.
const BIN = fileURLToPath(new URL('./bin.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function switchyard(args: readonly string[], cwd: string): Promise<{ stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--conditions=@switchyard/source', '--import', TSX, BIN, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } }, (error, _stdout, stderr) =>
      resolve({ stderr, code: typeof error?.code === 'number' ? error.code : 0 }),
    );
  });
}

describe('switchyard (the binary) prints every error the same way', () => {
  it('validate, serve, worker and plugins print one `CODE: message` line (validate printed `error: CODE: ...`)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cli-bin-'));
    try {
      const line = 'CONFIG_NOT_FOUND: No config file in . (looked for switchyard.config.yaml, switchyard.config.yml, switchyard.config.json)\n';
      const runs = await Promise.all([['validate'], ['serve'], ['worker'], ['plugins']].map((args) => switchyard(args, empty)));
      for (const run of runs) expect(run).toEqual({ stderr: line, code: 1 });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
