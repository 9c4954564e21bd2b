import type { PriceTable } from '@switchyard/spec';

/** `telemetry` section of the app config. */
export interface TelemetryConfig {
  /** pino level; `silent` disables logs. */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Include raw inputs/prompts in logs and span attributes (off by default). */
  readonly logInputs?: boolean;
  /** USD prices per million tokens, keyed by model id (or `engine:model`). */
  readonly prices?: PriceTable;
}
