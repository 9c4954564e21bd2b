import type { Command } from 'commander';
import type { PluginLogger } from '@switchyard/core';
import { describeFailure, printError } from './output.js';

/** One line, whatever the message holds: a CLI warning is never a block. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, '; ').trim();

/** The logged text, from pino's `(fields, message)` or `(message)` call. */
const messageOf = (fields: object | string, message: string | undefined): string => message ?? (typeof fields === 'string' ? fields : 'app error');

/**
 * The app's logger in the commands that start an app and then exit (validate, run, plugins): each warning is one
 * `warning: <message>` line on stderr, in the words core logs, like the CLI's own warnings; an error is one
 * `error: <message>: CODE: ...` line (no stack); debug and info are dropped. `serve` and `worker` keep core's JSON logs.
 */
export function cliLogger(command: Command): PluginLogger {
  return {
    debug() {},
    info() {},
    warn(fields, message) {
      printError(command, `warning: ${oneLine(messageOf(fields, message))}`);
    },
    error(fields, message) {
      const cause = typeof fields === 'object' && 'err' in fields ? (fields as { err: unknown }).err : undefined;
      printError(command, `error: ${oneLine(messageOf(fields, message))}${cause === undefined ? '' : `: ${oneLine(describeFailure(cause))}`}`);
    },
  };
}
