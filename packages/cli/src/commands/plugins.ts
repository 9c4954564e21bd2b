import type { Command } from 'commander';
import { SwitchyardError, type SwitchyardApp } from '@switchyard/core';
import { cliLogger } from '../cli-logger.js';
import { createAppFromConfig } from '../config-app.js';
import { fail, print } from '../output.js';

/** One block per plugin: name@version (from), then each engine with its workloads, targets and features. */
export function describePlugins(app: SwitchyardApp): string {
  if (app.plugins.length === 0) return 'no plugins loaded';
  const lines: string[] = [];
  for (const plugin of app.plugins) {
    lines.push(`${plugin.name}@${plugin.version}${plugin.specifier && plugin.specifier !== plugin.name ? ` (${plugin.specifier})` : ''}`);
    if (plugin.engines.length === 0) lines.push('  (no engines)');
    for (const id of plugin.engines) {
      const { capabilities } = app.getEngine(id);
      lines.push(`  engine ${id}`);
      lines.push(`    workloads: ${capabilities.workloads.join(', ') || '-'}`);
      lines.push(`    targets:   ${capabilities.targets.join(', ') || '-'}`);
      lines.push(`    features:  ${capabilities.features.join(', ') || '-'}`);
      if (capabilities.contextWindow !== undefined) lines.push(`    context:   ${capabilities.contextWindow} tokens`);
    }
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('plugins')
    .description('load the plugins a config names and list them with their engines and capabilities')
    .argument('[config]', 'config file or directory holding switchyard.config.yaml|.yml|.json', '.')
    .option('--json', 'print JSON instead of text')
    .action(async (configPath: string, flags: { json?: boolean }, command: Command) => {
      let app: SwitchyardApp;
      try {
        ({ app } = await createAppFromConfig(configPath, { logger: cliLogger(command) }));
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
      try {
        if (flags.json) {
          const plugins = app.plugins.map((p) => ({ name: p.name, version: p.version, specifier: p.specifier, engines: p.engines.map((id) => ({ id, capabilities: app.getEngine(id).capabilities })) }));
          print(command, JSON.stringify({ config: app.configFile, plugins }, null, 2));
        } else {
          print(command, describePlugins(app));
        }
      } finally {
        await app.shutdown();
      }
    });
}
