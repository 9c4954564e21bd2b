import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { closeMatches, closeMatchesHint, configuredModelsDirs, modelCacheDir, ModelProvisioner, openConfiguredModelCatalog, SwitchyardError } from '@switchyard/core';
import { fail, print } from '../output.js';
import { appConfig } from './run.js';
import { nonEmpty, repeatable } from '../repeatable-option.js';

interface ModelFolder {
  readonly dir: string;
  readonly metadata: Record<string, unknown>;
  readonly id: string;
  /** The model pack it comes from, if any. */
  readonly package?: string;
}

interface AppModels {
  readonly folders: ModelFolder[];
  readonly provisioner: ModelProvisioner;
  /** What the listing covers, for "no models in ..." messages. */
  readonly where: string;
}

/**
 * The app's models as the app finds them (core's DirectoryModelCatalog, the one reader of model folders):
 * `models.packages` and `models.dirs` of the config (in the current folder, or `--config`), `--dir` replacing the dirs.
 */
async function appModels(flags: ModelsFlags): Promise<AppModels> {
  const { config, baseDir, locate } = await appConfig(flags.config);
  // Without --dir or models.dirs: models/ when it exists, as the app reads the same config. A bad --dir is named by
  // the flag, a bad models.dirs entry is located in the config file.
  const configDirs = (): string[] => {
    try {
      return configuredModelsDirs(config.models?.dirs, baseDir);
    } catch (error) {
      throw locate(error);
    }
  };
  const dirs = flags.dir ? configuredModelsDirs(flags.dir, process.cwd(), { flag: '--dir' }).map((d) => resolve(d)) : configDirs();
  const catalog = await openConfiguredModelCatalog({ ...config.models, dirs }, baseDir);
  const cacheDir = modelCacheDir(baseDir, config.models?.cacheDir);
  const folders = catalog.ids().map((id) => {
    const model = catalog.get(id)!;
    return { id, dir: model.dir, metadata: (model.metadata ?? {}) as Record<string, unknown>, ...(model.package ? { package: model.package } : {}) };
  });
  const places = [...dirs.map((dir) => shown(resolve(baseDir, dir))), ...(config.models?.packages ?? [])];
  // Nothing to look in (no config, no ./models folder): said, not an empty "no models in ".
  const where = places.length > 0 ? places.join(', ') : 'any folder or package (no models.dirs or models.packages in a config, no ./models folder, no --dir)';
  return { folders, provisioner: new ModelProvisioner({ appDir: baseDir, cacheDir }), where };
}

/** A folder named relative to the current folder (`models/good`, `../shared/models`), never as an absolute server path. */
const shown = (dir: string): string => relative(process.cwd(), dir) || '.';

/** The provisioner's source of a file, its model folder relative to the current folder (`model dir models/good`). */
const shownSource = (source: string, folder: ModelFolder): string => (source === `model dir ${folder.dir}` ? `model dir ${shown(folder.dir)}` : source);

const templateOf = (metadata: Record<string, unknown>): string => {
  const template = metadata['execution_template'] as Record<string, unknown> | undefined;
  return typeof template?.['type'] === 'string' ? template['type'] : '?';
};

interface ModelsFlags {
  readonly dir?: string[];
  readonly config?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  const models = program.command('models').description("list the app's models (models.packages and models.dirs) and verify their files");

  models
    .command('list')
    .description('list models (id, version, template) and where each file resolves')
    .option('-c, --config <file>', 'app config (default: a switchyard.config.* in the current folder, if any)', nonEmpty)
    .option('--dir <dir>', "a models directory (repeatable; replaces the config's models.dirs; default models)", repeatable)
    .option('--json', 'print JSON')
    .action(async (flags: ModelsFlags, command: Command) => {
      try {
        const { folders, provisioner, where } = await appModels(flags);
        const rows = [];
        for (const folder of folders) {
          const files = await provisioner.verify(folder.dir, folder.metadata);
          rows.push({
            id: folder.id,
            version: String(folder.metadata['version'] ?? ''),
            template: templateOf(folder.metadata),
            ...(folder.package ? { package: folder.package } : {}),
            files: files.map((f) => ({ file: f.file, source: shownSource(f.source, folder), ...(f.path ? { path: f.path } : {}), status: f.status })),
          });
        }
        if (flags.json) return print(command, JSON.stringify(rows, null, 2));
        const lines: string[] = [];
        for (const row of rows) {
          lines.push(`${row.id}  ${row.version}  ${row.template}${row.package ? `  (pack ${row.package})` : ''}`);
          for (const f of row.files) lines.push(`  ${f.file} -> ${f.path ? relative(process.cwd(), f.path) || f.path : 'NOT FOUND'}  [${f.source}]${f.status === 'missing' ? '  missing' : ''}`);
        }
        print(command, lines.length ? lines.join('\n') : `no models in ${where}`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });

  models
    .command('verify')
    .description('sha256 every file of every model (or of one); exit 1 on a mismatch or a missing file')
    .argument('[id]', 'model id (default: all)')
    .option('-c, --config <file>', 'app config (default: a switchyard.config.* in the current folder, if any)', nonEmpty)
    .option('--dir <dir>', "a models directory (repeatable; replaces the config's models.dirs; default models)", repeatable)
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, flags: ModelsFlags, command: Command) => {
      try {
        const app = await appModels(flags);
        const folders = app.folders.filter((f) => id === undefined || f.id === id);
        if (id !== undefined && folders.length === 0) {
          const close = closeMatchesHint(closeMatches(id, app.folders.map((folder) => folder.id)));
          fail(command, `NO_SUCH_MODEL: no model '${id}' in ${app.where}${close}`);
        }
        const provisioner = app.provisioner;
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
          }).join('\n') || `no models in ${app.where}`);
        }
        if (bad > 0) fail(command, `UNTRUSTED_ARTIFACT: ${bad} file${bad === 1 ? '' : 's'} failed verification`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
