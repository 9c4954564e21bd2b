export * from './orchestration-config.js';
export * from './bounded-stream-session.js';
export * from './orchestrator.js';
export * from './create-orchestrator.js';
export * from './orchestrator-extension.js';
export * from './model-names.js';
