import { existsSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_OUT_DIR, runCodegen } from '@switchyard/codegen';
import { CONFIG_FILE_NAMES, configuredModelsDirs, formatMetadataIssue, loadConfig, MetadataInvalidError, locateConfigError, resolveModelPack, SwitchyardError } from '@switchyard/core';
import { shownRelativeTo } from '../config-shown.js';
import { flagError } from '../flag-error.js';
import { repeatable } from '../repeatable-option.js';
import { fail, print, printError } from '../output.js';

interface CodegenFlags {
  readonly check?: boolean;
  readonly config?: string;
  readonly models?: string[];
  readonly packages?: string[];
  readonly out?: string;
  readonly strict?: boolean;
}

/** A single-value flag that may not be empty (an empty --out would silently mean the default folder). */
function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return value;
}

/** How to re-run this command, as the user ran it (`npm run <script>` under npm, else `npx switchyard codegen ...`). */
function rerunHint(flags: CodegenFlags): string {
  const script = process.env['npm_lifecycle_event'];
  if (script && process.env['npm_lifecycle_script']?.includes('codegen')) return `npm run ${script.replace(/:check$/, '')}`;
  const args = [
    ...(flags.config ? ['--config', flags.config] : []),
    ...(flags.models ?? []).flatMap((d) => ['--models', d]),
    ...(flags.packages ?? []).flatMap((p) => ['--packages', p]),
    ...(flags.out ? ['--out', flags.out] : []),
  ];
  return ['npx switchyard codegen', ...args].join(' ');
}

/** A folder the user typed (a flag, the config, an entry of it) and whether it was typed absolute. */
interface TypedPath {
  readonly dir: string;
  readonly absolute: boolean;
}

/**
 * How codegen's listings and messages name a path (docs/cli.md): relative to the current folder, or absolute under a
 * path the user typed absolute (--out, --models, --config: its folder holds the config's relative entries, or an
 * absolute entry of the config). The most specific typed folder holding the path decides.
 */
function pathNamer(cwd: string, typed: readonly TypedPath[]): (absolute: string) => string {
  const inside = (dir: string, path: string): boolean => {
    const rel = relative(dir, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  return (path) => {
    const [closest] = typed.filter((t) => inside(t.dir, path)).sort((a, b) => b.dir.length - a.dir.length);
    return (closest?.absolute ? path : relative(cwd, path) || '.').split(sep).join('/');
  };
}

/**
 * A generated file that cannot be written, named as codegen names paths, with the system's reason code. An output
 * folder from --out is named by the flag (details.file); one from the config by its pointer, located in the file.
 */
function unwritable(path: string, shown: string, error: unknown, from: { readonly outDir: string } | { readonly pointer: string } | undefined): SwitchyardError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  const why = code === 'ENOTDIR' ? ' (a part of the path is a file)' : code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : code === 'EROFS' ? ' (read-only file system)' : '';
  const details = from && 'outDir' in from ? { file: from.outDir } : from ? { pointer: from.pointer, path } : { path };
  return new SwitchyardError({ code: 'CONFIG_INVALID', message: `cannot write ${shown}: ${code}${why}`, details, cause: error });
}

/** Model errors as `validate` lists them: a heading naming where the models come from, then one located issue a line. */
function metadataInvalid(error: MetadataInvalidError, flags: CodegenFlags, configShown: string | undefined): string {
  const errors = `${error.issues.length} error${error.issues.length === 1 ? '' : 's'}`;
  const sources = [flags.models ? '--models' : configShown ? 'models.dirs' : 'models/', ...(flags.packages ? ['--packages'] : configShown ? ['models.packages'] : [])];
  const heading = configShown && !flags.models && !flags.packages ? `${configShown}: ${errors} in the models it lists (models.dirs, models.packages)` : `${errors} in the models of ${sources.join(', ')}`;
  return `METADATA_INVALID: ${heading}:\n${error.issues.map((issue) => `  ${formatMetadataIssue(issue)}`).join('\n')}`;
}

export function register(program: Command): void {
  program
    .command('codegen')
    .description("validate the app's model metadata and write its typed registry + ahead-of-time pipelines")
    .option('--check', 'write nothing; list stale, missing and extra generated files and exit 1 if any')
    .option('-c, --config <file>', 'switchyard.config.yaml to read models.dirs, models.packages and codegen.out from (default: the one in the current folder, if any)')
    .option('--models <dir>', 'a folder of <id>/model_metadata.json, a model folder or a .xyb bundle (repeatable; replaces models.dirs)', repeatable)
    .option('--packages <name>', 'a model pack npm package (repeatable; replaces models.packages)', repeatable)
    .option('--out <dir>', `output folder (replaces codegen.out; default ${DEFAULT_OUT_DIR})`, nonEmpty)
    .option('--strict', 'unknown or unused model_metadata.json fields are errors, not warnings')
    .action(async (flags: CodegenFlags, command: Command) => {
      let loadedConfig: Awaited<ReturnType<typeof loadConfig>> | undefined;
      let outDir: string | undefined;
      try {
        const cwd = process.cwd();
        const configFile = flags.config ?? CONFIG_FILE_NAMES.map((n) => resolve(cwd, n)).find((f) => existsSync(f));
        const loaded = configFile ? await loadConfig(configFile, { allowMissingEnv: true, ...shownRelativeTo(flags.config) }) : undefined;
        loadedConfig = loaded;
        const baseDir = loaded?.baseDir ?? cwd;
        // Flags are relative to where the user typed them, config entries to the config file; a bad flag value is
        // named by its flag (a config pointer such as /models/dirs/0 is for what the config file says).
        const modelDirs = flags.models ? configuredModelsDirs(flags.models, cwd, { flag: '--models' }).map((p) => resolve(cwd, p)) : loaded?.config.models?.dirs;
        for (const name of flags.packages ?? []) resolveModelPack(name, baseDir, { flag: '--packages' });
        outDir = flags.out ? resolve(cwd, flags.out) : undefined;
        const configAbsolute = flags.config !== undefined && isAbsolute(flags.config);
        const fromConfig = (entry: string): TypedPath => ({ dir: resolve(baseDir, entry), absolute: configAbsolute || isAbsolute(entry) });
        const fromFlag = (entry: string): TypedPath => ({ dir: resolve(cwd, entry), absolute: isAbsolute(entry) });
        const configOut = loaded?.config.codegen?.out;
        const shown = pathNamer(cwd, [
          { dir: baseDir, absolute: configAbsolute },
          ...(flags.out ? [fromFlag(flags.out)] : configOut !== undefined ? [fromConfig(configOut)] : []),
          ...(flags.models ? flags.models.map(fromFlag) : (loaded?.config.models?.dirs ?? []).map(fromConfig)),
        ]);
        // An output folder that is a file: named before any scan or write (it used to surface as an INTERNAL ENOTDIR).
        const target = outDir ?? (configOut !== undefined ? resolve(baseDir, configOut) : undefined);
        if (target !== undefined && existsSync(target) && !statSync(target).isDirectory()) {
          const message = `'${shown(target)}' is a file, not a folder (the codegen output folder)`;
          throw new SwitchyardError({ code: 'CONFIG_INVALID', message, details: outDir ? { file: outDir } : { pointer: '/codegen/out', path: target } });
        }
        const report = await runCodegen({
          baseDir,
          ...(loaded ? { configFile: loaded.file } : {}),
          // Absent: models/ when it exists, as run and serve read the same config.
          ...(modelDirs ? { modelDirs } : {}),
          modelPackages: flags.packages ?? loaded?.config.models?.packages ?? [],
          ...(loaded?.config.models?.cacheDir ? { cacheDir: loaded.config.models.cacheDir } : {}),
          ...(outDir ? { outDir } : loaded?.config.codegen?.out ? { outDir: loaded.config.codegen.out } : {}),
          check: flags.check === true,
          strict: flags.strict === true,
          shown,
          write: async (path, contents) => {
            try {
              await mkdir(dirname(path), { recursive: true });
              await writeFile(path, contents);
            } catch (error) {
              throw unwritable(path, shown(path), error, outDir ? { outDir } : loaded?.config.codegen?.out !== undefined ? { pointer: '/codegen/out' } : undefined);
            }
          },
          remove: (path) => rm(path, { force: true }),
        });
        for (const warning of report.warnings) printError(command, `warning: ${formatMetadataIssue(warning)}`);
        if (report.foreign.length && !flags.check) {
          const [one, more] = [report.foreign.length === 1, report.foreign.length - 5];
          const files = `${report.foreign.slice(0, 5).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
          printError(command, `warning: ${report.outDir} holds ${files}, which codegen did not write (no codegen banner on ${one ? 'its' : 'their'} first line): left as ${one ? 'it is' : 'they are'}; \`--check\` fails until ${one ? 'it is' : 'they are'} moved out of the output folder`);
        }
        const { stale, missing, extra } = report.drift;
        // A file codegen did not write in its output folder fails --check (it is not what codegen makes), never removed.
        const lines = [...stale.map((p) => `stale   ${p}`), ...missing.map((p) => `missing ${p}`), ...extra.map((p) => `extra   ${p}`), ...report.foreign.map((p) => `foreign ${p} (not written by codegen: move it out of the output folder)`)];
        const models = report.files.filter((f) => f.path.includes('/pipelines/')).length;
        if (flags.check) {
          if (lines.length) fail(command, `CODEGEN_STALE: ${report.outDir} is out of date (run \`${rerunHint(flags)}\`):\n  ${lines.join('\n  ')}`);
          print(command, `codegen: ${report.outDir} up to date (${models} model(s), ${report.files.length} files)`);
          return;
        }
        // What the write did: stale files were updated, missing ones created, extra ones removed.
        const done = [...stale.map((p) => `updated ${p}`), ...missing.map((p) => `created ${p}`), ...extra.map((p) => `removed ${p}`)];
        print(command, done.length ? `codegen: wrote ${report.outDir} (${models} model(s))\n  ${done.join('\n  ')}` : `codegen: ${report.outDir} up to date (${models} model(s), ${report.files.length} files)`);
      } catch (raw) {
        // A config error (e.g. /models/dirs/0) is located in the config file; one about the --out folder names --out.
        const aboutOut = outDir !== undefined && SwitchyardError.isInstance(raw) && (raw.details['file'] === outDir || raw.details['outDir'] === outDir);
        if (MetadataInvalidError.isInstance(raw)) fail(command, metadataInvalid(raw, flags, loadedConfig?.shownAs));
        const error = aboutOut ? flagError(raw, '--out') : loadedConfig ? locateConfigError(raw, loadedConfig.shownAs, loadedConfig.source) : raw;
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
