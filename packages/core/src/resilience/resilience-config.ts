/** `resilience` section of the app config (all optional; defaults below). */
export interface ResilienceSettings {
  readonly retry?: { readonly max_attempts?: number; readonly initial_delay_ms?: number; readonly max_delay_ms?: number };
  readonly circuit_breaker?: { readonly consecutive_failures?: number; readonly cooldown_ms?: number };
  readonly bulkhead?: { readonly max_concurrent?: number; readonly max_queue?: number };
  /** Per-attempt timeout. */
  readonly timeout_ms?: number;
}

export interface ResilienceConfig extends ResilienceSettings {
  /** Per-engine overrides, keyed by engine id. */
  readonly engines?: Readonly<Record<string, ResilienceSettings>>;
}

export interface ResolvedResilience {
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly circuitBreaker: { readonly consecutiveFailures: number; readonly cooldownMs: number };
  readonly bulkhead: { readonly maxConcurrent: number; readonly maxQueue: number };
  readonly timeoutMs: number;
}

/** Merges defaults, the global section and the engine's override. */
export function resolveResilience(config: ResilienceConfig | undefined, engineId?: string): ResolvedResilience {
  const own = engineId ? config?.engines?.[engineId] : undefined;
  const pick = <K extends keyof ResilienceSettings>(key: K): ResilienceSettings[K] | undefined => own?.[key] ?? config?.[key];
  const retry = { ...config?.retry, ...own?.retry };
  const breaker = { ...config?.circuit_breaker, ...own?.circuit_breaker };
  const bulkhead = { ...config?.bulkhead, ...own?.bulkhead };
  return {
    retry: {
      maxAttempts: retry.max_attempts ?? 2,
      initialDelayMs: retry.initial_delay_ms ?? 100,
      maxDelayMs: retry.max_delay_ms ?? 5_000,
    },
    circuitBreaker: { consecutiveFailures: breaker.consecutive_failures ?? 5, cooldownMs: breaker.cooldown_ms ?? 10_000 },
    bulkhead: { maxConcurrent: bulkhead.max_concurrent ?? 16, maxQueue: bulkhead.max_queue ?? 1_000 },
    timeoutMs: pick('timeout_ms') ?? 60_000,
  };
}
