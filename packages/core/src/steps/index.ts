export * from './step-kernel.js';
export * from './step-factories.js';
