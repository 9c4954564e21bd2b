export * from './error-codes.js';
export * from './switchyard-error.js';
export * from './errors.js';
export * from './retry-after.js';
