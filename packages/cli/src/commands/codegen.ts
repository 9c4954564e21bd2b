import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { runCodegen } from '@switchyard/codegen';
import { formatMetadataIssue, SwitchyardError } from '@switchyard/core';
import { fail, print, printError } from '../output.js';

interface CodegenFlags {
  readonly check?: boolean;
  readonly models: string;
  readonly out: string;
  readonly root: string;
  readonly strict?: boolean;
}

export function register(program: Command): void {
  program
    .command('codegen')
    .description('validate models/*/model_metadata.json and write the typed registry + ahead-of-time pipelines')
    .option('--check', 'write nothing; list stale, missing and extra generated files and exit 1 if any')
    .option('--models <dir>', 'model folders, relative to --root', 'models')
    .option('--out <dir>', 'generated registry and pipelines, relative to --root', 'packages/models/src/generated')
    .option('--root <dir>', 'repository root', '.')
    .option('--strict', 'unknown or unused model_metadata.json fields are errors, not warnings')
    .action(async (flags: CodegenFlags, command: Command) => {
      const root = resolve(flags.root);
      try {
        const report = await runCodegen({
          root,
          modelsDir: flags.models,
          outDir: flags.out,
          check: flags.check === true,
          strict: flags.strict === true,
          write: async (path, contents) => {
            await mkdir(dirname(join(root, path)), { recursive: true });
            await writeFile(join(root, path), contents);
          },
          remove: (path) => rm(join(root, path), { force: true }),
        });
        for (const warning of report.warnings) printError(command, `warning: ${formatMetadataIssue(warning)}`);
        const { stale, missing, extra } = report.drift;
        const lines = [...stale.map((p) => `stale   ${p}`), ...missing.map((p) => `missing ${p}`), ...extra.map((p) => `extra   ${p}`)];
        if (flags.check) {
          if (lines.length) fail(command, `CODEGEN_STALE: generated files differ from models/ (run \`npm run codegen\`):\n  ${lines.join('\n  ')}`);
          print(command, `codegen: ${report.files.length} files up to date`);
          return;
        }
        print(command, lines.length ? `codegen: updated ${lines.length} file(s)\n  ${lines.join('\n  ')}` : `codegen: ${report.files.length} files up to date`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
