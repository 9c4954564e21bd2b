import type { Command } from 'commander';

/** Writes through commander's output configuration so tests can capture what a command prints. */
export function print(command: Command, text: string): void {
  command.configureOutput().writeOut?.(text.endsWith('\n') ? text : `${text}\n`);
}

export function printError(command: Command, text: string): void {
  command.configureOutput().writeErr?.(text.endsWith('\n') ? text : `${text}\n`);
}

/** Ends the command with a non-zero exit code (process.exit in the binary, a CommanderError under exitOverride). */
export function fail(command: Command, message: string, exitCode = 1): never {
  command.error(message, { exitCode, code: 'switchyard.failed' });
}
