import type { Command } from 'commander';
import { SwitchyardError } from '@switchyard/core';
import type { ProgressStream } from './commands/run-progress.js';

const progressStreams = new WeakMap<Command, ProgressStream>();

/** Sets where the program's commands draw progress (createProgram does). */
export function setProgressStream(program: Command, stream: ProgressStream): void {
  progressStreams.set(program, stream);
}

/** The program's progress stream (stderr by default): found on the command or its parents. */
export function progressStream(command: Command): ProgressStream {
  for (let c: Command | null = command; c; c = c.parent) {
    const stream = progressStreams.get(c);
    if (stream) return stream;
  }
  return process.stderr;
}

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

/**
 * What the CLI prints for a failure: `CODE: message` for a SwitchyardError, one `INTERNAL:` line naming the
 * error otherwise. Never a stack trace.
 */
export function describeFailure(error: unknown): string {
  if (SwitchyardError.isInstance(error)) return `${error.code}: ${error.message}`;
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return `INTERNAL: ${name}: ${message.split('\n')[0]!.slice(0, 300)}`;
}

/** True for commander's own exits (help, version, usage errors, fail()): they have printed already. */
export function isCommanderExit(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('commander.') || code === 'switchyard.failed');
}
