import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ModelProvisioner, SwitchyardError } from '@switchyard/core';
import { fail, print } from '../output.js';

interface ModelFolder {
  readonly dir: string;
  readonly metadata: Record<string, unknown>;
  readonly id: string;
}

async function readModelFolders(modelsDir: string): Promise<ModelFolder[]> {
  let entries: string[];
  try {
    entries = (await readdir(modelsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (error) {
    throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `no models directory at ${modelsDir}`, cause: error, details: { file: modelsDir } });
  }
  const folders: ModelFolder[] = [];
  for (const name of entries) {
    const file = join(modelsDir, name, 'model_metadata.json');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue; // a folder without metadata is not a model
    }
    let metadata: unknown;
    try {
      metadata = JSON.parse(text);
    } catch (error) {
      throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${file}: not valid JSON (${(error as Error).message})`, details: { file } });
    }
    const record = (metadata ?? {}) as Record<string, unknown>;
    folders.push({ dir: join(modelsDir, name), metadata: record, id: typeof record['model_id'] === 'string' ? record['model_id'] : name });
  }
  return folders;
}

const templateOf = (metadata: Record<string, unknown>): string => {
  const template = metadata['execution_template'] as Record<string, unknown> | undefined;
  return typeof template?.['type'] === 'string' ? template['type'] : '?';
};

interface ModelsFlags {
  readonly dir: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  const models = program.command('models').description('list the models under models/ and verify their files');

  models
    .command('list')
    .description('list models (id, version, template) and where each file resolves')
    .option('--dir <dir>', 'models directory', 'models')
    .option('--json', 'print JSON')
    .action(async (flags: ModelsFlags, command: Command) => {
      try {
        const modelsDir = resolve(flags.dir);
        const provisioner = new ModelProvisioner({ appDir: process.cwd() });
        const rows = [];
        for (const folder of await readModelFolders(modelsDir)) {
          const files = await provisioner.verify(folder.dir, folder.metadata);
          rows.push({
            id: folder.id,
            version: String(folder.metadata['version'] ?? ''),
            template: templateOf(folder.metadata),
            files: files.map((f) => ({ file: f.file, source: f.source, ...(f.path ? { path: f.path } : {}), status: f.status })),
          });
        }
        if (flags.json) return print(command, JSON.stringify(rows, null, 2));
        const lines: string[] = [];
        for (const row of rows) {
          lines.push(`${row.id}  ${row.version}  ${row.template}`);
          for (const f of row.files) lines.push(`  ${f.file} -> ${f.path ? relative(process.cwd(), f.path) || f.path : 'NOT FOUND'}  [${f.source}]${f.status === 'missing' ? '  missing' : ''}`);
        }
        print(command, lines.length ? lines.join('\n') : `no models in ${modelsDir}`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });

  models
    .command('verify')
    .description('sha256 every file of every model (or of one); exit 1 on a mismatch or a missing file')
    .argument('[id]', 'model id (default: all)')
    .option('--dir <dir>', 'models directory', 'models')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, flags: ModelsFlags, command: Command) => {
      try {
        const modelsDir = resolve(flags.dir);
        const folders = (await readModelFolders(modelsDir)).filter((f) => id === undefined || f.id === id);
        if (id !== undefined && folders.length === 0) {
          fail(command, `NO_SUCH_MODEL: no model '${id}' in ${modelsDir}`);
        }
        const provisioner = new ModelProvisioner({ appDir: process.cwd() });
        const results = [];
        let bad = 0;
        for (const folder of folders) {
          for (const row of await provisioner.verify(folder.dir, folder.metadata)) {
            if (row.status === 'mismatch' || row.status === 'missing') bad += 1;
            results.push({ model: folder.id, file: row.file, status: row.status, ...(row.expected ? { expected: row.expected } : {}), ...(row.found ? { found: row.found } : {}), ...(row.error ? { error: row.error.message } : {}) });
          }
        }
        if (flags.json) print(command, JSON.stringify(results, null, 2));
        else {
          print(command, results.map((r) => {
            const detail = r.status === 'mismatch' ? `expected ${r.expected}, found ${r.found}` : r.status === 'missing' ? r.error : r.found;
            return `${r.status.toUpperCase().padEnd(10)} ${r.model}/${r.file}  ${detail ?? ''}`;
          }).join('\n') || `no models in ${modelsDir}`);
        }
        if (bad > 0) fail(command, `UNTRUSTED_ARTIFACT: ${bad} file${bad === 1 ? '' : 's'} failed verification`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
