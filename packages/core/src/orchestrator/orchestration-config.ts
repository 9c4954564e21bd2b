import type { PolicyConfig } from '../policy/policy-config.js';
import type { ResilienceConfig } from '../resilience/resilience-config.js';
import type { RoutingConfig } from '../routing/routing-config.js';
import type { TelemetryConfig } from '../telemetry/telemetry-config.js';

/** The config sections the orchestration layer reads (the app config may carry more). */
export interface OrchestrationConfig {
  readonly policy?: PolicyConfig;
  readonly routing?: RoutingConfig;
  readonly resilience?: ResilienceConfig;
  readonly telemetry?: TelemetryConfig;
  /** `models.overrides.<id>.options` reach the engine's doLoad as the model's options. */
  readonly models?: { readonly overrides?: Readonly<Record<string, { readonly options?: Readonly<Record<string, unknown>> }>> };
}
