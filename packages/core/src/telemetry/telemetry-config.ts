import type { PriceTable } from '@switchyard/spec';

/** `telemetry` section of the app config. */
export interface TelemetryConfig {
  /** pino level (the schema's enum); `silent` disables logs. */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Include raw inputs/prompts in logs and span attributes (off by default). */
  readonly logInputs?: boolean;
  /** USD prices per million tokens, keyed by model id (or `engine:model`). */
  readonly prices?: PriceTable;
  /** OpenTelemetry traces exported by a tracer provider the app installs (see installTracing). */
  readonly tracing?: TracingConfig;
}

/** `telemetry.tracing`: where Switchyard's spans go. */
export interface TracingConfig {
  /** Default true when the section is present. */
  readonly enabled?: boolean;
  /** `otlp` (OTLP/HTTP JSON, the default) or `console` (stdout). */
  readonly exporter?: 'otlp' | 'console';
  /** OTLP/HTTP traces URL (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then http://localhost:4318/v1/traces). */
  readonly endpoint?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** `service.name` (default `switchyard`). */
  readonly serviceName?: string;
  /** Share of new traces sampled, 0..1 (default 1); a caller's sampled flag decides for its own trace. */
  readonly sampleRatio?: number;
}
