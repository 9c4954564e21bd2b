export * from './telemetry-events.js';
export * from './event-bus.js';
export * from './telemetry-config.js';
export * from './orchestration-logger.js';
export * from './usage-cost.js';
export * from './tracing.js';
