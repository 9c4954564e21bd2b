/**
 * One line per command: `export * as <name> from './<name>.js';` where the module exports
 * `register(program: Command): void`. The program registers every module listed here.
 */
export * as validate from './validate.js';
export * as plugins from './plugins.js';
export * as bundle from './bundle.js';
export * as codegen from './codegen.js';
export * as models from './models.js';
export * as run from './run.js';
export * as serve from './serve.js';
export * as route from './route.js';
export * as worker from './worker.js';
