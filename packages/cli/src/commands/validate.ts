import type { Command } from 'commander';
import { checkCoreRange, loadConfig, loadConfiguredPlugins, orderByDependencies, validatePluginOptions } from '@switchyard/core';
import { shownRelativeTo } from '../config-shown.js';
import { print } from '../output.js';
import { prepareServe } from './serve.js';

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a config the way `serve` would (schema, env, plugins register + initialize, server settings) without binding a port; exit 1 with located errors')
    .argument('[config]', 'config file or directory holding switchyard.config.yaml|.yml|.json', '.')
    .option('--no-plugins', 'check the file only, without importing plugins')
    .option('--allow-missing-env', 'do not fail on unset ${env:NAME} references (e.g. in CI without secrets); plugins are imported and their options checked, but not started')
    .action(async (configPath: string, flags: { plugins: boolean; allowMissingEnv?: boolean }, command: Command) => {
      if (flags.plugins && !flags.allowMissingEnv) {
        // The same path as `serve`, short of listen(): one verdict for both.
        const { app, server, file } = await prepareServe({ config: configPath });
        const count = app.plugins.length;
        await server.close({ deadlineMs: 0 });
        print(command, `${file}: ok (${count} plugin${count === 1 ? '' : 's'}, ${app.engines.length} engine${app.engines.length === 1 ? '' : 's'})`);
        return;
      }
      const loaded = await loadConfig(configPath, { allowMissingEnv: flags.allowMissingEnv ?? false, ...shownRelativeTo(configPath) });
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
      print(command, `${loaded.shownAs}: ok${flags.plugins ? ` (${count} plugin${count === 1 ? '' : 's'})` : ''}`);
    });
}
