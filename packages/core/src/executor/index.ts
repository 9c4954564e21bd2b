export * from './model-catalog.js';
export * from './execution-target.js';
export * from './timed-tensor-runner.js';
export * from './executor.js';
export * from './directory-model-catalog.js';
export * from './json-tensor.js';
export * from './model-input-file.js';
export * from './configured-model-catalog.js';
