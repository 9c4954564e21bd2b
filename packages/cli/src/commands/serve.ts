import type { Command } from 'commander';
import { createSwitchyardApp, SwitchyardError } from '@switchyard/core';
import { closeOnSignals, createServerForApp } from '@switchyard/server';
import { fail, print, printError } from '../output.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `--port must be an integer 0..65535, found '${value}'`, details: { field: 'port', found: value } });
  return port;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the task API and the OpenAI-compatible API for a config (Ctrl-C = graceful shutdown)')
    .requiredOption('-c, --config <file>', 'config file or directory holding switchyard.config.yaml|.yml|.json')
    .option('-p, --port <port>', 'port (default: server.port from the config, else PORT, else 8787)')
    .option('--host <host>', 'bind address (default: server.host from the config, else 127.0.0.1)')
    .action(async (flags: { config: string; port?: string; host?: string }, command: Command) => {
      try {
        const app = await createSwitchyardApp({ configPath: flags.config });
        const port = flags.port !== undefined ? parsePort(flags.port) : process.env.PORT !== undefined ? parsePort(process.env.PORT) : undefined;
        const server = await createServerForApp(app, { ...(port !== undefined ? { port } : {}), ...(flags.host ? { host: flags.host } : {}), logger: { level: 'info', stream: process.stderr } });
        const url = await server.listen();
        print(command, `switchyard serving ${app.configFile ?? flags.config} at ${url} (engines: ${app.engines.map((engine) => engine.id).join(', ') || 'none'})`);
        closeOnSignals(server, (result) => {
          printError(command, `switchyard stopped${result.canceled > 0 ? ` (${result.canceled} task(s) canceled at the shutdown deadline)` : ''}`);
          process.exit(0);
        });
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
