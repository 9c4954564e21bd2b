export * from './resilience-config.js';
export * from './retry-backoff.js';
export * from './engine-guard.js';
