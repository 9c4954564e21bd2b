/**
 * Exponentially weighted moving average of measured service times per engine and per (engine, model), so queue
 * ETAs follow what the models actually do: a slow OCR model and a fast embedder on one engine keep their own
 * averages. A model not measured yet uses its engine's average, and an engine not measured yet the configured prior.
 */
export class ServiceTimeEstimator {
  private readonly averages = new Map<string, number>();
  private readonly byModel = new Map<string, Map<string, number>>();

  constructor(
    private readonly priorMs: number,
    private readonly alpha = 0.2,
  ) {}

  /** One measured run of `key` (an engine); with `model`, that model's average moves too. */
  record(key: string, durationMs: number, model?: string): void {
    this.averages.set(key, this.next(this.averages.get(key), durationMs));
    if (model === undefined) return;
    let models = this.byModel.get(key);
    if (!models) this.byModel.set(key, (models = new Map()));
    models.set(model, this.next(models.get(model), durationMs));
  }

  private next(previous: number | undefined, durationMs: number): number {
    return previous === undefined ? durationMs : previous + this.alpha * (durationMs - previous);
  }

  /** The model's average, else the engine's, else the prior. */
  estimate(key: string, model?: string): number {
    const own = model === undefined ? undefined : this.byModel.get(key)?.get(model);
    return own ?? this.averages.get(key) ?? this.priorMs;
  }

  /** True once the model (or, without one, the engine) has a measurement of its own or its engine's. */
  measured(key: string, model?: string): boolean {
    return this.averages.has(key) || (model !== undefined && this.byModel.get(key)?.has(model) === true);
  }

  /**
   * Predicted wait before a task can start: `ahead` tasks are queued in front of it for an engine that has
   * `running` of `concurrency` slots busy. Each full wave of `concurrency` tasks costs one service time:
   * `serviceMs` (the mean estimate of the tasks occupying the engine, per model), default the engine's average.
   */
  predictStartMs(key: string, ahead: number, running: number, concurrency: number, serviceMs?: number): number {
    const occupied = ahead + running;
    if (occupied < concurrency) return 0;
    const waves = Math.floor((occupied - concurrency) / concurrency) + 1;
    return Math.round(waves * (serviceMs ?? this.estimate(key)));
  }
}
