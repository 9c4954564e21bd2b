/** `telemetry` section of the app config. */
export interface TelemetryConfig {
  /** pino level; `silent` disables logs. */
  readonly log_level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Include raw inputs/prompts in logs and span attributes (off by default). */
  readonly log_inputs?: boolean;
  /** USD prices per 1,000 tokens, keyed by model id (or `engine:model`). */
  readonly prices?: Readonly<Record<string, { readonly input_per_1k: number; readonly output_per_1k: number }>>;
}
