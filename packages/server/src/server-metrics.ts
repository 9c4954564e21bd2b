import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LabeledCounter, LabeledHistogram, type HistogramSeries } from './gateway-metric-series.js';
import { CIRCUIT_VALUE, GatewayMetrics, type CircuitState } from './gateway-metrics.js';
import type { ClusterStats } from './task-queue.js';

export { CIRCUIT_VALUE, type CircuitState } from './gateway-metrics.js';

/** Prometheus metrics of one server instance (its own Registry, so several servers can live in one process). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly tasksEnqueued: LabeledCounter;
  readonly tasksStarted: LabeledCounter;
  readonly tasksCanceled: LabeledCounter;
  readonly tasksRejected: LabeledCounter;
  readonly tasksFinished: LabeledCounter;
  readonly tasksRequeued: LabeledCounter;
  readonly queueDepth: Gauge<'priority'>;
  readonly stageDuration: LabeledHistogram;
  /** The stage series resolved once per stage name (observed several times per task). */
  private readonly stageSeries = new Map<string, HistogramSeries>();
  readonly engineErrors: LabeledCounter;
  readonly circuitState: Gauge<'engine'>;
  /** Per-deployment requests, tokens, cost, latencies, retries, fallbacks, upstream errors, cooldowns, breakers. */
  readonly gateway: GatewayMetrics;

  constructor(
    options: {
      defaultMetrics?: boolean;
      circuitStates?: () => Promise<Record<string, CircuitState>>;
      /** Breaker state per engine, then per model (`switchyard_breaker_state{engine,model}`). */
      breakerStates?: () => Readonly<Record<string, Readonly<Record<string, CircuitState>>>>;
    } = {},
  ) {
    const registers = [this.registry];
    this.tasksEnqueued = new LabeledCounter({ name: 'switchyard_tasks_enqueued_total', help: 'Tasks admitted to a queue', labelNames: ['priority'], registry: this.registry });
    this.tasksStarted = new LabeledCounter({ name: 'switchyard_tasks_started_total', help: 'Tasks that started running', labelNames: ['engine'], registry: this.registry });
    this.tasksCanceled = new LabeledCounter({ name: 'switchyard_tasks_canceled_total', help: 'Tasks canceled (client, disconnect, shutdown, drain)', labelNames: ['reason'], registry: this.registry });
    this.tasksRejected = new LabeledCounter({ name: 'switchyard_tasks_rejected_total', help: 'Tasks rejected or dropped at admission', labelNames: ['reason'], registry: this.registry });
    this.tasksFinished = new LabeledCounter({ name: 'switchyard_tasks_finished_total', help: 'Tasks that reached a terminal state', labelNames: ['outcome'], registry: this.registry });
    this.tasksRequeued = new LabeledCounter({ name: 'switchyard_tasks_requeued_total', help: 'Tasks queued again after a worker reset (restart, crashed or stalled worker)', labelNames: ['reason'], registry: this.registry });
    this.queueDepth = new Gauge({ name: 'switchyard_queue_depth', help: 'Tasks waiting in the admission queues', labelNames: ['priority'], registers });
    this.stageDuration = new LabeledHistogram({
      name: 'switchyard_stage_duration_seconds',
      help: 'Per-stage durations: queue, preprocess, infer, postprocess, total',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registry: this.registry,
    });
    this.engineErrors = new LabeledCounter({ name: 'switchyard_engine_errors_total', help: 'Failed engine calls by error code', labelNames: ['engine', 'code'], registry: this.registry });
    const circuitStates = options.circuitStates;
    this.circuitState = new Gauge({
      name: 'switchyard_circuit_state',
      help: 'Worst circuit breaker state over an engine\'s deployments (0 closed, 1 half-open, 2 open, 3 cooling down after a 429)',
      labelNames: ['engine'],
      registers,
      async collect() {
        if (!circuitStates) return;
        for (const [engine, state] of Object.entries(await circuitStates())) this.set({ engine }, CIRCUIT_VALUE[state]);
      },
    });
    this.gateway = new GatewayMetrics(this.registry, options.breakerStates);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
  }

  /** Distributed mode: gauges read from Redis at scrape time, the same figures on every API node. */
  attachCluster(stats: () => Promise<ClusterStats>): void {
    const registers = [this.registry];
    let last: Promise<ClusterStats> | undefined;
    // One Redis read per scrape, shared by the gauges below.
    const read = () => (last ??= stats().finally(() => setTimeout(() => (last = undefined), 50).unref()));
    const queueDepth = this.queueDepth;
    const gauge = (name: string, help: string, pick: (s: ClusterStats) => number) =>
      new Gauge({ name, help, registers, async collect() { this.set(pick(await read())); } });
    gauge('switchyard_cluster_workers', 'Workers with a live heartbeat', (s) => s.workers);
    gauge('switchyard_cluster_in_flight', 'Tasks running on workers', (s) => s.inFlight);
    gauge('switchyard_cluster_jobs_stalled', 'Jobs found stalled (their worker died) since the deployment started', (s) => s.stalled);
    gauge('switchyard_cluster_jobs_requeued', 'Jobs handed to another worker after a stall', (s) => s.requeued);
    new Gauge({
      name: 'switchyard_cluster_queue_depth',
      help: 'Tasks waiting in the BullMQ queues, by priority',
      labelNames: ['priority'],
      registers,
      async collect() {
        const s = await read();
        this.set({ priority: 'interactive' }, s.queueDepth.interactive);
        this.set({ priority: 'batch' }, s.queueDepth.batch);
        queueDepth.set({ priority: 'interactive' }, s.queueDepth.interactive);
        queueDepth.set({ priority: 'batch' }, s.queueDepth.batch);
      },
    });
  }

  observeStage(stage: string, ms: number): void {
    if (!(ms >= 0) || ms === Infinity) return;
    let series = this.stageSeries.get(stage);
    if (!series) this.stageSeries.set(stage, (series = this.stageDuration.at(stage)));
    series.observe(ms / 1000);
  }
}
