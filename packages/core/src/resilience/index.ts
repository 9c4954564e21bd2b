export * from './resilience-config.js';
export * from './retry-backoff.js';
export * from './engine-guard.js';
export * from './circuit-breaker.js';
export { GuardedAttempt } from './guarded-attempt.js';
