export * from './telemetry-events.js';
export * from './event-bus.js';
export * from './telemetry-config.js';
export * from './orchestration-logger.js';
export * from './usage-cost.js';
export * from './tracing.js';
export * from './trace-context.js';
export * from './tracing-provider.js';
