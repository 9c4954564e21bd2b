export * from './engine/v1/index.js';
export * from './plugin/index.js';
export * from './pipeline.js';
export * from './orchestrator.js';
export * from './cancellation.js';
export * from './price.js';
