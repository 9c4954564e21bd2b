export * from './engine-v1.js';
export * from './tensor.js';
