import { Command } from 'commander';
import * as commands from './commands/index.js';
import type { ProgressStream } from './commands/run-progress.js';
import { setProgressStream } from './output.js';
import { VERSION } from './version.js';

export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** Where long commands draw progress (drawn only when it is a TTY); default process.stderr. */
  readonly progress?: ProgressStream;
}

/** Builds the `switchyard` program with every command in commands/index.ts registered. */
export function createProgram(output?: ProgramOutput): Command {
  const program = new Command('switchyard')
    .description('Switchyard: hybrid AI inference (local ONNX, hosted GPU pools, cloud LLM APIs)')
    .version(VERSION, '-v, --version', 'print the version');
  if (output) program.configureOutput({ writeOut: output.writeOut, writeErr: output.writeErr, outputError: (text, write) => write(text) });
  // Progress goes to stderr only, never to stdout; given output without a progress stream: none.
  setProgressStream(program, output ? (output.progress ?? { isTTY: false, write: output.writeErr }) : process.stderr);
  for (const command of Object.values(commands)) command.register(program);
  return program;
}
