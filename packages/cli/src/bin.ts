#!/usr/bin/env node
import { createProgram } from './program.js';
import { describeFailure } from './output.js';

// The same one `CODE: message` line a command's own fail() prints (docs/cli.md), whichever way the error arrives.
const exitWith = (error: unknown): never => {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exit(1);
};
process.on('unhandledRejection', exitWith);

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  exitWith(error);
}
