export * from './engine-v1.js';
export * from './tensor.js';
export * from './model-name-option.js';
