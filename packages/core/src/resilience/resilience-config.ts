/** `resilience` section of the app config (all optional; defaults below). */
export interface ResilienceSettings {
  readonly retry?: { readonly maxAttempts?: number; readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  readonly circuitBreaker?: { readonly consecutiveFailures?: number; readonly cooldownMs?: number };
  readonly bulkhead?: { readonly maxConcurrent?: number; readonly maxQueue?: number };
  /** Per-attempt timeout (for streams: until the first part). */
  readonly timeoutMs?: number;
  /** Longest gap between two parts of a stream before it is abandoned (default: timeoutMs). */
  readonly streamIdleTimeoutMs?: number;
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
  readonly streamIdleTimeoutMs: number;
}

/** Merges defaults, the global section and the engine's override. */
export function resolveResilience(config: ResilienceConfig | undefined, engineId?: string): ResolvedResilience {
  const own = engineId ? config?.engines?.[engineId] : undefined;
  const pick = <K extends keyof ResilienceSettings>(key: K): ResilienceSettings[K] | undefined => own?.[key] ?? config?.[key];
  const retry = { ...config?.retry, ...own?.retry };
  const breaker = { ...config?.circuitBreaker, ...own?.circuitBreaker };
  const bulkhead = { ...config?.bulkhead, ...own?.bulkhead };
  return {
    retry: {
      maxAttempts: retry.maxAttempts ?? 2,
      initialDelayMs: retry.initialDelayMs ?? 100,
      maxDelayMs: retry.maxDelayMs ?? 5_000,
    },
    circuitBreaker: { consecutiveFailures: breaker.consecutiveFailures ?? 5, cooldownMs: breaker.cooldownMs ?? 10_000 },
    bulkhead: { maxConcurrent: bulkhead.maxConcurrent ?? 16, maxQueue: bulkhead.maxQueue ?? 1_000 },
    timeoutMs: pick('timeoutMs') ?? 60_000,
    streamIdleTimeoutMs: pick('streamIdleTimeoutMs') ?? pick('timeoutMs') ?? 60_000,
  };
}
