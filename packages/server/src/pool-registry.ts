import type { EngineV1 } from '@switchyard/core';
import { NoSuchEngineError, SwitchyardError, toSwitchyardError } from '@switchyard/core';
import type { ServerCatalog } from './server-catalog.js';
import type { ServiceTimeEstimator } from './service-time-estimator.js';
import type { TaskQueue } from './task-queue.js';

export interface PoolHealth {
  readonly pool_id: string;
  readonly live: boolean;
  readonly ready: boolean;
  readonly draining: boolean;
  readonly model_ref: string | null;
  readonly reason?: string;
  readonly metrics: { readonly running: number; readonly queued: number; readonly concurrency: number; readonly ewma_service_ms: number };
}

/** Pools = engines as the task API sees them: health, drain and atomic model reload. */
export class PoolRegistry {
  private readonly engines: Map<string, EngineV1>;
  private readonly modelRefs = new Map<string, string>();
  private readonly reloading = new Set<string>();

  constructor(
    engines: readonly EngineV1[],
    private readonly scheduler: TaskQueue,
    private readonly estimator: ServiceTimeEstimator,
    private readonly concurrencyFor: (engineKey: string) => number,
    private readonly catalog?: ServerCatalog,
    /** How a pool's old model is unloaded; the app passes its Executor's unload so its load cache stays true. */
    private readonly unloadModel: (engine: EngineV1, modelId: string) => Promise<void> = (engine, modelId) => engine.doUnload(modelId, AbortSignal.timeout(30_000)),
  ) {
    this.engines = new Map(engines.map((engine) => [engine.id, engine]));
  }

  ids(): string[] {
    return [...this.engines.keys()];
  }

  has(id: string): boolean {
    return this.engines.has(id);
  }

  async health(id: string): Promise<PoolHealth> {
    const engine = this.engine(id);
    let ok = false;
    let reason: string | undefined;
    try {
      const health = await engine.health();
      ok = health.ok;
      reason = health.reason;
    } catch (error) {
      reason = toSwitchyardError(error).code;
    }
    const draining = this.scheduler.isDraining(id);
    return {
      pool_id: id,
      live: true,
      ready: ok && !draining && !this.reloading.has(id) && this.scheduler.accepting,
      draining,
      model_ref: this.modelRefs.get(id) ?? null,
      ...(reason !== undefined ? { reason } : {}),
      metrics: {
        running: this.scheduler.runningCount(id),
        queued: this.scheduler.queuedCount(id),
        concurrency: this.concurrencyFor(id),
        ewma_service_ms: Math.round(this.estimator.estimate(id)),
      },
    };
  }

  /** Ends a drain: the pool admits tasks again. */
  resume(id: string): { pool_id: string; draining: false } {
    this.engine(id);
    this.scheduler.resume(id);
    return { pool_id: id, draining: false };
  }

  async drain(id: string, deadlineMs: number): Promise<{ canceled: number }> {
    this.engine(id);
    return this.scheduler.drain(id, deadlineMs);
  }

  /**
   * Loads the new model next to the old one and switches only when the load succeeded; on failure the old
   * model keeps serving and the error says so. The old model is unloaded after the switch.
   */
  async reload(id: string, newModelRef: string): Promise<{ pool_id: string; model_ref: string; previous_model_ref: string | null }> {
    const engine = this.engine(id);
    if (this.reloading.has(id)) throw new SwitchyardError({ code: 'POOL_UNREADY', message: `Pool '${id}' is already reloading`, retriable: true, retryAfterMs: 1000, details: { engine: id } });
    if (!this.catalog?.resolve) throw new SwitchyardError({ code: 'UNSUPPORTED', message: 'Reload needs a catalog that can resolve model files', details: { engine: id } });
    this.reloading.add(id);
    const previous = this.modelRefs.get(id) ?? null;
    try {
      const spec = await this.catalog.resolve(newModelRef);
      try {
        await engine.doLoad(spec, AbortSignal.timeout(120_000));
      } catch (error) {
        const cause = toSwitchyardError(error, 'MODEL_LOAD_FAILED');
        throw new SwitchyardError({
          code: 'MODEL_LOAD_FAILED',
          message: `Pool '${id}' could not load '${newModelRef}' (${cause.code}: ${cause.message}); ${previous ? `'${previous}'` : 'the previous model'} keeps serving`,
          cause,
          details: { engine: id, modelId: newModelRef },
        });
      }
      this.modelRefs.set(id, newModelRef);
      if (previous !== null && previous !== newModelRef) await this.unloadModel(engine, previous).catch(() => undefined);
      this.scheduler.resume(id);
      return { pool_id: id, model_ref: newModelRef, previous_model_ref: previous };
    } finally {
      this.reloading.delete(id);
    }
  }

  /** Marks what a pool serves at startup (config-loaded models). */
  setModelRef(id: string, modelRef: string): void {
    this.modelRefs.set(id, modelRef);
  }

  /** Unloads every known model; called last in graceful shutdown. */
  async release(): Promise<void> {
    await Promise.all(
      [...this.modelRefs].map(([id, modelRef]) => this.engines.get(id)?.doUnload(modelRef, AbortSignal.timeout(10_000)).catch(() => undefined)),
    );
  }

  private engine(id: string): EngineV1 {
    const engine = this.engines.get(id);
    if (!engine) throw new NoSuchEngineError({ engineId: id, available: this.ids() });
    return engine;
  }
}
