import type { Command } from 'commander';
import { locateConfigError, SwitchyardError, type PluginLogger, type SwitchyardApp, type SwitchyardConfig } from '@switchyard/core';
import { closeOnSignals, createServerForApp, type SwitchyardServer } from '@switchyard/server';
import { createAppFromConfig } from '../config-app.js';
import { flagError } from '../flag-error.js';
import { fail, print, printError } from '../output.js';
import { nonEmpty } from '../repeatable-option.js';

export interface ServeFlags {
  readonly config: string;
  readonly port?: string;
  readonly host?: string;
}

/** A decimal port 0..65535 (`Number()` took `0x50`, `1e3`, ` 80 ` and bound whatever they meant). */
function parsePort(value: string, from: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `${from} must be an integer 0..65535, found '${value}'`, details: { field: from, expected: '0..65535', found: value } });
  }
  return port;
}

/**
 * Everything `serve` does short of binding the port: config, plugins (register + initialize), engines, server
 * config and the listen checks. `validate` runs exactly this (`checkOnly`: state in memory, the dataDir untouched), so both give the same verdict on a config. `file` is
 * the config file as messages name it (relative to the current folder unless --config was absolute). `logger`: the
 * app's (default core's JSON lines on stderr, what a server logs).
 */
export async function prepareServe(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
  options: { readonly checkOnly?: boolean; readonly logger?: PluginLogger } = {},
): Promise<{ app: SwitchyardApp; server: SwitchyardServer; file: string; host?: string; port?: number }> {
  const port = flags.port !== undefined ? parsePort(flags.port, '--port') : env.PORT !== undefined ? parsePort(env.PORT, 'PORT') : undefined;
  // An empty --host would mean "not given" (server.host, else 127.0.0.1), as `server.host: ""` is refused.
  if (flags.host !== undefined && flags.host.trim() === '') {
    throw new SwitchyardError({ code: 'INVALID_PARAMS', message: `--host must be a bind address (e.g. 127.0.0.1, or 0.0.0.0 with API keys), found '${flags.host}'`, details: { field: '--host', expected: 'a bind address', found: flags.host } });
  }
  // A check (validate) keeps state in memory: it never creates, locks or leaves files in the server's dataDir.
  const adjust = options.checkOnly ? (config: SwitchyardConfig): SwitchyardConfig => ({ ...config, server: { ...config.server, dataDir: false } }) : undefined;
  // The app's errors and warnings are located in the file the user wrote, named as they typed it.
  const { app, loaded } = await createAppFromConfig(flags.config, { env, ...(adjust ? { adjust } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  const file = loaded.shownAs;
  let server: SwitchyardServer;
  try {
    // The server's request and lifecycle lines follow telemetry.logLevel, like the app's own logger.
    const level = (app.config.telemetry?.['logLevel'] as string | undefined) ?? 'info';
    server = await createServerForApp(app, { ...(port !== undefined ? { port } : {}), ...(flags.host ? { host: flags.host } : {}), env, logger: { level, stream: process.stderr } });
    server.checkListen();
  } catch (error) {
    await app.shutdown().catch(() => undefined);
    // The bind address the user typed as --host is named by that flag, not located at /server/host in the config.
    if (flags.host !== undefined && SwitchyardError.isInstance(error) && error.details['field'] === 'host') throw flagError(error, '--host');
    // Server-section errors name the config file, line and column, like every other config error (the server knows none).
    throw locateConfigError(error, file, loaded.source);
  }
  return { app, server, file, ...(flags.host ? { host: flags.host } : {}), ...(port !== undefined ? { port } : {}) };
}

/** Creates the app from the config and starts listening; returns the server (close() also shuts the app down). */
export async function startServe(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Promise<{ server: SwitchyardServer; url: string; summary: string }> {
  const { app, server, file, host } = await prepareServe(flags, env);
  const url = await server.listen();
  const engines = app.engines.map((engine) => engine.id).join(', ') || 'none';
  // Bound to every interface (0.0.0.0, ::) the URL shows one of them: say that the others are served too.
  const bound = host ?? server.config.host;
  const everywhere = bound === '0.0.0.0' || bound === '::' ? `, listening on ${bound}: every interface` : '';
  return { server, url, summary: `switchyard serving ${file} at ${url} (engines: ${engines}${everywhere})` };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the task API and the OpenAI-compatible API for a config (Ctrl-C = graceful shutdown)')
    .option('-c, --config <file>', 'config file or directory holding switchyard.config.yaml|.yml|.json', nonEmpty, '.')
    .option('-p, --port <port>', 'port (default: PORT, else server.port from the config, else 8787)')
    .option('--host <host>', 'bind address (default: server.host from the config, else 127.0.0.1)')
    .action(async (flags: ServeFlags, command: Command) => {
      try {
        const { server, summary } = await startServe(flags);
        print(command, summary);
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
