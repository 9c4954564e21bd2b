import type { Command } from 'commander';
import { resolve } from 'node:path';
import { checkCoreRange, formatMetadataIssue, loadConfig, loadConfiguredPlugins, locateConfigError, orderByDependencies, staleRegistryWarnings, validatePluginOptions, type SwitchyardConfig } from '@switchyard/core';
import { cliLogger } from '../cli-logger.js';
import { shownRelativeTo } from '../config-shown.js';
import { fail, print, printError } from '../output.js';
import { nonEmpty } from '../repeatable-option.js';
import { prepareServe } from './serve.js';
import { checkAppModels, type AppModelsCheck } from './validate-models.js';

const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Model warnings on stderr; model errors, each located (file, JSON pointer, expected, found), exit 1. */
function reportModels(command: Command, file: string, models: AppModelsCheck): void {
  for (const warning of models.warnings) printError(command, `warning: ${formatMetadataIssue(warning)}`);
  if (models.errors.length === 0) return;
  const lines = models.errors.map((issue) => `  ${formatMetadataIssue(issue)}`).join('\n');
  fail(command, `METADATA_INVALID: ${file}: ${counted(models.errors.length, 'error')} in the models it lists (models.dirs, models.packages):\n${lines}`);
}

function printOk(command: Command, file: string, counts: readonly string[], models: AppModelsCheck): void {
  const all = [...counts, ...(models.models > 0 ? [counted(models.models, 'model')] : [])];
  print(command, `${file}: ok${all.length > 0 ? ` (${all.join(', ')})` : ''}`);
}

const VALIDATE_USAGE = 'usage: switchyard validate [config]  |  switchyard validate -c <config>';

/** The config named by the positional `[config]` or `-c/--config` (the same file twice is fine), else the current folder. */
function configOf(command: Command, positional: string | undefined, flag: string | undefined): string {
  if (positional !== undefined && flag !== undefined && resolve(positional) !== resolve(flag)) {
    fail(command, `validate: give the config as [config] or -c/--config, not both (found '${positional}' and --config '${flag}')\n${VALIDATE_USAGE}`);
  }
  return positional ?? flag ?? '.';
}

/** Overrides whose options only the engine's modelOptionsSchema checks: not checked when the engines are not started. */
function noteUncheckedModelOptions(command: Command, config: SwitchyardConfig, why: string): void {
  const ids = Object.entries(config.models?.overrides ?? {}).filter(([, override]) => override.options !== undefined).map(([id]) => id);
  if (ids.length === 0) return;
  printError(
    command,
    `note: ${ids.map((id) => `models.overrides.${id}.options`).join(', ')} not checked against the engine's modelOptionsSchema (${why}: engines are not started); run \`switchyard validate\` without it to check them`,
  );
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a config the way `serve` would (schema, env, plugins register + initialize, server settings, every model it lists) without binding a port; exit 1 with located errors')
    .argument('[config]', 'config file or directory holding switchyard.config.yaml|.yml|.json (default: .)')
    .option('-c, --config <file>', 'the same as [config]', nonEmpty)
    .option('--no-plugins', 'check the file only, without importing plugins')
    .option('--allow-missing-env', 'do not fail on unset ${env:NAME} references (e.g. in CI without secrets); plugins are imported and their options checked, but not started')
    .action(async (positional: string | undefined, flags: { config?: string; plugins: boolean; allowMissingEnv?: boolean }, command: Command) => {
      const configPath = configOf(command, positional, flags.config);
      const loaded = await loadConfig(configPath, { allowMissingEnv: flags.allowMissingEnv ?? false, ...shownRelativeTo(configPath) });
      // Models first, all of them, each issue located: the app would stop at the first bad one when it starts.
      const models = await checkAppModels(loaded.config, loaded.baseDir, { locate: (error) => locateConfigError(error, loaded.shownAs, loaded.source), ...shownRelativeTo(configPath) });
      reportModels(command, loaded.shownAs, models);
      if (flags.plugins && !flags.allowMissingEnv) {
        // The same path as `serve`, short of listen(): one verdict for both; the app's warnings as `warning:` lines.
        const { app, server, file } = await prepareServe({ config: configPath }, process.env, { checkOnly: true, logger: cliLogger(command) });
        await server.close({ deadlineMs: 0 });
        return printOk(command, file, [counted(app.plugins.length, 'plugin'), counted(app.engines.length, 'engine')], models);
      }
      // What the app logs at start for a stale generated registry (the full check above starts the app, which logs it).
      for (const warning of await staleRegistryWarnings(loaded.config, loaded.baseDir, loaded.shownAs, (pointer) => loaded.source.locate(pointer))) printError(command, `warning: ${warning}`);
      noteUncheckedModelOptions(command, loaded.config, flags.plugins ? '--allow-missing-env' : '--no-plugins');
      let count = 0;
      if (flags.plugins) {
        const specs = await loadConfiguredPlugins(loaded);
        for (const spec of specs) {
          checkCoreRange(spec.plugin);
          validatePluginOptions(spec.plugin.name, spec.plugin.configSchema, spec.options ?? {}, {
            file: loaded.shownAs,
            ...(spec.pointer ? { pointer: `${spec.pointer}/options` } : {}),
            source: loaded.source,
          });
        }
        orderByDependencies(specs.map((spec) => ({ name: spec.plugin.name, dependsOn: spec.plugin.dependsOn ?? [] })));
        count = specs.length;
      }
      printOk(command, loaded.shownAs, flags.plugins ? [counted(count, 'plugin')] : [], models);
    });
}
