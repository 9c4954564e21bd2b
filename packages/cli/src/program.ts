import { Command } from 'commander';
import * as commands from './commands/index.js';
import { VERSION } from './version.js';

export interface ProgramOutput {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** Builds the `switchyard` program with every command in commands/index.ts registered. */
export function createProgram(output?: ProgramOutput): Command {
  const program = new Command('switchyard')
    .description('Switchyard: hybrid AI inference (local ONNX, hosted GPU pools, cloud LLM APIs)')
    .version(VERSION, '-v, --version', 'print the version');
  if (output) program.configureOutput({ writeOut: output.writeOut, writeErr: output.writeErr, outputError: (text, write) => write(text) });
  for (const command of Object.values(commands)) command.register(program);
  return program;
}
