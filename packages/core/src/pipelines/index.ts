export * from './pipeline-definition.js';
export * from './pipeline-schema.js';
export * from './pipeline-loader.js';
export * from './pipeline-runner.js';
