export * from './classification.js';
export * from './rule-based-classifier.js';
export * from './llm-classifier.js';
export * from './model-classifier.js';
export * from './lru-cache.js';
export * from './threshold-calibration.js';
export * from './routing-config.js';
export * from './router.js';
