import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatMetadataIssue, readModelMetadataFile, SwitchyardError, writeXybBundle } from '@switchyard/core';
import { fail, print, printError } from '../output.js';
import { nonEmpty } from '../repeatable-option.js';

export function register(program: Command): void {
  program
    .command('bundle')
    .description('pack a model folder as a .xyb bundle (xybrid format: zstd tar with manifest.json and every file the metadata lists)')
    .argument('<model-folder>', 'folder holding model_metadata.json')
    .option('-o, --out <file>', 'bundle to write (default <folder name>.xyb in the current directory)', nonEmpty)
    .option('--target <target>', 'manifest target (xybrid: the platform the bundle is for)', nonEmpty, 'universal')
    .action(async (folder: string, flags: { out?: string; target: string }, command: Command) => {
      try {
        const out = flags.out ?? `${basename(resolve(folder))}.xyb`;
        const metadataFile = join(folder, 'model_metadata.json');
        if (!existsSync(folder) || !statSync(folder).isDirectory() || !existsSync(metadataFile)) {
          fail(command, `METADATA_INVALID: '${folder}' is not a model folder: ${metadataFile} does not exist`);
        }
        // Validated first as the user named it: errors and unknown-field warnings name the file relative, as `run` does.
        await readModelMetadataFile(folder, { onWarning: (issue) => printError(command, `warning: ${formatMetadataIssue(issue)}`) });
        // Checked here so a bad --out is named by its flag, not an ENOENT/EISDIR from the bundle writer.
        if (existsSync(out) && statSync(out).isDirectory()) fail(command, `--out ${out}: is a folder (expected the path of the .xyb file to write)`);
        const outDir = dirname(out);
        if (existsSync(outDir) && !statSync(outDir).isDirectory()) fail(command, `--out ${out}: ${outDir} is a file, not a folder`);
        // A folder that does not exist yet is created, like codegen's output folder.
        mkdirSync(outDir, { recursive: true });
        const manifest = await writeXybBundle(folder, out, { target: flags.target });
        print(command, `${out}: ${manifest.model_id} ${manifest.version} (${manifest.files.length} files, hash ${manifest.hash})`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
