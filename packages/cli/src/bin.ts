#!/usr/bin/env node
import { createProgram } from './program.js';
import { describeFailure } from './output.js';

const exitWith = (error: unknown): never => {
  process.stderr.write(`error: ${describeFailure(error)}\n`);
  process.exit(1);
};
process.on('unhandledRejection', exitWith);

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  exitWith(error);
}
