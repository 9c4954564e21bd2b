import { createProgram } from '../src/program.js';
import { describeFailure, isCommanderExit } from '../src/output.js';
import type { ProgressStream } from '../src/commands/run-progress.js';

export interface CliRun {
  readonly out: string;
  readonly err: string;
  readonly exitCode: number;
}

/**
 * Runs `switchyard <args>` in-process, capturing stdout/stderr and the exit code (no process.exit). `progress`
 * stands in for stderr as a terminal (or not) where progress is drawn; default: no progress.
 */
export async function runCli(args: readonly string[], options: { progress?: ProgressStream } = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const program = createProgram({ writeOut: (t) => (out += t), writeErr: (t) => (err += t), ...(options.progress ? { progress: options.progress } : {}) });
  const override = (command: typeof program): void => {
    command.exitOverride();
    for (const sub of command.commands) override(sub);
  };
  override(program);
  try {
    await program.parseAsync(['node', 'switchyard', ...args]);
    return { out, err, exitCode: 0 };
  } catch (error) {
    // the same line bin.ts prints for anything that is not commander's own exit
    if (!isCommanderExit(error)) err += `${describeFailure(error)}\n`;
    return { out, err, exitCode: (error as { exitCode?: number }).exitCode ?? 1 };
  }
}
