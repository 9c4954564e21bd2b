import type { EventBus } from '@switchyard/core';
import type { Registry } from 'prom-client';
import { LabeledCounter, LabeledHistogram, type CounterSeries, type HistogramSeries } from './gateway-metric-series.js';

/** A breaker's state now; 'cooling-down' is a 429 cooldown (not a failure trip). */
export type CircuitState = 'closed' | 'half-open' | 'open' | 'cooling-down';
/** Gauge values of `switchyard_circuit_state` and `switchyard_breaker_state` (docs/observability.md). */
export const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2, 'cooling-down': 3 };

/** How a request ended, as the `outcome` label says it. */
export type RequestOutcome = 'ok' | 'error' | 'canceled';

/** Latency buckets in seconds (first token and totals: LLM calls run from milliseconds to minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Time per output token: from sub-millisecond (local, cached) to a slow cloud model. */
const TOKEN_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1];

/** Every series of one (route, engine, model), resolved once and kept (no label objects per request). */
export interface RequestSeries {
  readonly ok: CounterSeries;
  readonly error: CounterSeries;
  readonly canceled: CounterSeries;
  readonly inputTokens: CounterSeries;
  readonly outputTokens: CounterSeries;
  readonly costUsd: CounterSeries;
  readonly timeToFirstToken: HistogramSeries;
  readonly timePerOutputToken: HistogramSeries;
  readonly duration: HistogramSeries;
}

/** The model label for a request that never reached a deployment: unknown ids must not create series. */
export const UNROUTED_MODEL = '(unrouted)';
/** The model label once an engine has MAX_MODELS_PER_ENGINE models (`engine:<anything>` refs are open-ended). */
export const OTHER_MODEL = '(other)';
export const MAX_MODELS_PER_ENGINE = 200;

/**
 * Per-deployment gateway metrics: requests, tokens, cost and latencies per (route, engine, model); retries,
 * fallbacks, upstream errors, cooldowns and breaker state per (engine, model), fed by the orchestrator's events.
 */
export class GatewayMetrics {
  readonly requests: LabeledCounter;
  readonly tokens: LabeledCounter;
  readonly cost: LabeledCounter;
  readonly timeToFirstToken: LabeledHistogram;
  readonly timePerOutputToken: LabeledHistogram;
  readonly duration: LabeledHistogram;
  readonly retries: LabeledCounter;
  readonly fallbacks: LabeledCounter;
  readonly upstreamErrors: LabeledCounter;
  readonly cooldowns: LabeledCounter;
  private readonly byRoute = new Map<string, Map<string, Map<string, RequestSeries>>>();
  private readonly modelsByEngine = new Map<string, Set<string>>();

  constructor(registry: Registry, breakerStates?: () => Readonly<Record<string, Readonly<Record<string, CircuitState>>>>) {
    const metric = (name: string, help: string, labelNames: readonly string[]) => ({ name, help, labelNames, registry });
    const deployment = ['route', 'engine', 'model'] as const;
    this.requests = new LabeledCounter(metric('switchyard_requests_total', 'Gateway requests by route, serving deployment and outcome (ok, error, canceled)', [...deployment, 'outcome']));
    this.tokens = new LabeledCounter(metric('switchyard_tokens_total', 'Tokens by route, serving deployment and direction (type: input, output)', [...deployment, 'type']));
    this.cost = new LabeledCounter(metric('switchyard_cost_usd_total', 'USD spent by route and serving deployment (telemetry.prices)', deployment));
    this.timeToFirstToken = new LabeledHistogram({ ...metric('switchyard_time_to_first_token_seconds', 'Time from the start of a streaming request to its first token', deployment), buckets: LATENCY_BUCKETS });
    this.timePerOutputToken = new LabeledHistogram({ ...metric('switchyard_time_per_output_token_seconds', 'Inter-token latency: (duration - time to first token) / (output tokens - 1), per streaming request', deployment), buckets: TOKEN_BUCKETS });
    this.duration = new LabeledHistogram({ ...metric('switchyard_request_duration_seconds', 'Time from the start of a request to its last frame (queue excluded)', [...deployment, 'outcome']), buckets: LATENCY_BUCKETS });
    this.retries = new LabeledCounter(metric('switchyard_retries_total', 'Retries of a deployment after a retriable error, by that error code', ['engine', 'model', 'code']));
    this.fallbacks = new LabeledCounter(metric('switchyard_fallbacks_total', 'Fallbacks away from a deployment, by error code; mid_stream="true" when tokens were already sent', ['engine', 'model', 'code', 'mid_stream']));
    this.upstreamErrors = new LabeledCounter(metric('switchyard_upstream_errors_total', 'Failed calls to a deployment (every attempt), by error code; caller aborts excluded', ['engine', 'model', 'code']));
    this.cooldowns = new LabeledCounter(metric('switchyard_cooldowns_total', 'Rate-limit cooldowns started on a deployment (a 429 and its Retry-After)', ['engine', 'model']));
    const breaker = new LabeledCounter({ ...metric('switchyard_breaker_state', 'Circuit breaker state per deployment (0 closed, 1 half-open, 2 open, 3 cooling down after a 429)', ['engine', 'model']), type: 'gauge' });
    if (breakerStates) {
      const get = breaker.get.bind(breaker);
      // Rebuilt at every scrape from the breakers that exist now (forgotten ones leave), model labels bounded like
      // the request series: past MAX_MODELS_PER_ENGINE, '(other)' carries the worst state of the rest.
      breaker.get = async () => {
        breaker.reset();
        for (const [engine, models] of Object.entries(breakerStates())) {
          for (const [model, state] of Object.entries(models)) {
            const series = breaker.at(engine, this.modelLabel(engine, model));
            series.value = Math.max(series.value, CIRCUIT_VALUE[state]);
          }
        }
        return get();
      };
    }
  }

  /** The series of one (route, engine, model): three map lookups once they exist. */
  series(route: string, engine: string, model: string): RequestSeries {
    let byEngine = this.byRoute.get(route);
    if (!byEngine) this.byRoute.set(route, (byEngine = new Map()));
    let byModel = byEngine.get(engine);
    if (!byModel) byEngine.set(engine, (byModel = new Map()));
    let series = byModel.get(model);
    if (!series) {
      const label = this.modelLabel(engine, model);
      if (label !== model) return this.series(route, engine, label);
      series = {
        ok: this.requests.at(route, engine, model, 'ok'),
        error: this.requests.at(route, engine, model, 'error'),
        canceled: this.requests.at(route, engine, model, 'canceled'),
        inputTokens: this.tokens.at(route, engine, model, 'input'),
        outputTokens: this.tokens.at(route, engine, model, 'output'),
        costUsd: this.cost.at(route, engine, model),
        timeToFirstToken: this.timeToFirstToken.at(route, engine, model),
        timePerOutputToken: this.timePerOutputToken.at(route, engine, model),
        duration: this.duration.at(route, engine, model, 'ok'),
      };
      byModel.set(model, series);
    }
    return series;
  }

  /** `model`, or OTHER_MODEL once the engine already has MAX_MODELS_PER_ENGINE distinct models (bounded series). */
  modelLabel(engine: string, model: string): string {
    let models = this.modelsByEngine.get(engine);
    if (!models) this.modelsByEngine.set(engine, (models = new Set()));
    if (models.has(model)) return model;
    if (models.size >= MAX_MODELS_PER_ENGINE) return OTHER_MODEL;
    models.add(model);
    return model;
  }

  /**
   * One finished request. `firstTokenMs` is set for streams that produced a token; durations are in ms.
   */
  recordRequest(
    route: string,
    engine: string,
    model: string,
    outcome: RequestOutcome,
    durationMs: number,
    firstTokenMs: number | undefined,
    inputTokens: number | undefined,
    outputTokens: number | undefined,
    costUsd: number | undefined,
  ): void {
    const series = this.series(route, engine, model);
    series[outcome].value += 1;
    if (inputTokens) series.inputTokens.value += inputTokens;
    if (outputTokens) series.outputTokens.value += outputTokens;
    if (costUsd) series.costUsd.value += costUsd;
    if (outcome === 'ok') series.duration.observe(durationMs / 1000);
    else this.duration.at(route, engine, model, outcome).observe(durationMs / 1000);
    if (outcome !== 'ok' || firstTokenMs === undefined) return;
    series.timeToFirstToken.observe(firstTokenMs / 1000);
    if (outputTokens !== undefined && outputTokens > 1) series.timePerOutputToken.observe((durationMs - firstTokenMs) / 1000 / (outputTokens - 1));
  }

  /** Counts retries, fallbacks, upstream errors and cooldowns from the orchestrator's events; returns the unsubscribe. */
  follow(events: EventBus): () => void {
    const offs = [
      events.on('Retry', (e) => (this.retries.at(e.engine, this.modelLabel(e.engine, e.model), e.code).value += 1)),
      events.on('ExecutionFailed', (e) => {
        if (e.code !== 'ABORTED') this.upstreamErrors.at(e.engine, this.modelLabel(e.engine, e.model), e.code).value += 1;
      }),
      events.on('Fallback', (e) => {
        const colon = e.from.indexOf(':');
        const engine = colon < 0 ? e.from : e.from.slice(0, colon);
        const model = colon < 0 ? '' : e.from.slice(colon + 1);
        this.fallbacks.at(engine, this.modelLabel(engine, model), e.reason, e.afterTokens > 0 ? 'true' : 'false').value += 1;
      }),
      events.on('DeploymentCooldown', (e) => (this.cooldowns.at(e.engine, this.modelLabel(e.engine, e.model)).value += 1)),
    ];
    return () => offs.forEach((off) => off());
  }
}
