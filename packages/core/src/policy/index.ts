export * from './policy-expression.js';
export * from './safety-transforms.js';
export * from './policy-config.js';
export * from './policy-engine.js';
