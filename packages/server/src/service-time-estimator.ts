/**
 * Exponentially weighted moving average of measured service times per engine, so queue ETAs follow
 * what the engines actually do. Until an engine has been measured the configured prior is used.
 */
export class ServiceTimeEstimator {
  private readonly averages = new Map<string, number>();

  constructor(
    private readonly priorMs: number,
    private readonly alpha = 0.2,
  ) {}

  record(key: string, durationMs: number): void {
    const previous = this.averages.get(key);
    this.averages.set(key, previous === undefined ? durationMs : previous + this.alpha * (durationMs - previous));
  }

  estimate(key: string): number {
    return this.averages.get(key) ?? this.priorMs;
  }

  measured(key: string): boolean {
    return this.averages.has(key);
  }

  /**
   * Predicted wait before a task can start: `ahead` tasks are queued in front of it for an engine that has
   * `running` of `concurrency` slots busy. Each full wave of `concurrency` tasks costs one service time.
   */
  predictStartMs(key: string, ahead: number, running: number, concurrency: number): number {
    const occupied = ahead + running;
    if (occupied < concurrency) return 0;
    const waves = Math.floor((occupied - concurrency) / concurrency) + 1;
    return Math.round(waves * this.estimate(key));
  }
}
