export { VERSION } from './version.js';
export { createProgram, type ProgramOutput } from './program.js';
