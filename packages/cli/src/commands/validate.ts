import type { Command } from 'commander';
import { checkCoreRange, loadConfig, loadConfiguredPlugins, orderByDependencies, SwitchyardError, validatePluginOptions } from '@switchyard/core';
import { fail, print } from '../output.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a config file (schema, env references, plugins and their options); exit 1 with located errors')
    .argument('[config]', 'config file or directory holding switchyard.config.yaml|.yml|.json', '.')
    .option('--no-plugins', 'check the file only, without importing plugins')
    .option('--allow-missing-env', 'do not fail on unset ${env:NAME} references (e.g. in CI without secrets)')
    .action(async (configPath: string, flags: { plugins: boolean; allowMissingEnv?: boolean }, command: Command) => {
      try {
        const loaded = await loadConfig(configPath, { allowMissingEnv: flags.allowMissingEnv ?? false });
        let count = 0;
        if (flags.plugins) {
          const specs = await loadConfiguredPlugins(loaded);
          for (const spec of specs) {
            checkCoreRange(spec.plugin);
            validatePluginOptions(spec.plugin.name, spec.plugin.configSchema, spec.options ?? {}, {
              file: loaded.file,
              ...(spec.pointer ? { pointer: `${spec.pointer}/options` } : {}),
              source: loaded.source,
            });
          }
          orderByDependencies(specs.map((spec) => ({ name: spec.plugin.name, dependsOn: spec.plugin.dependsOn ?? [] })));
          count = specs.length;
        }
        print(command, `${loaded.file}: ok${flags.plugins ? ` (${count} plugin${count === 1 ? '' : 's'})` : ''}`);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
