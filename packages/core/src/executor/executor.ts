import type { EngineRunRequest, EngineRunResult, EngineStreamPart, EngineV1, ModelPipeline, PipelineStreamSession, StageTimings, Target, Workload } from '@switchyard/spec';
import { SwitchyardError, toSwitchyardError, type CallSignal } from '@switchyard/spec';
import { EngineGuard } from '../resilience/engine-guard.js';
import type { ProvisionProgress } from '../provisioning/model-provisioner.js';
import type { AttemptFinisher, GuardedAttempt } from '../resilience/guarded-attempt.js';
import { resolveResilience, type ResilienceConfig } from '../resilience/resilience-config.js';
import type { EventBus } from '../telemetry/event-bus.js';
import { describeTarget, type ExecutionTarget } from './execution-target.js';
import { jsonTensor } from './json-tensor.js';
import { imageInputFor } from './model-input-file.js';
import type { InterpretedPipelineFactory, ModelCatalog, ModelFileProvisioner, PipelineKind, RegisteredModel } from './model-catalog.js';
import { GuardedStreamSession } from './guarded-stream-session.js';
import { MetadataInvalidError } from '../template-executor/metadata-invalid-error.js';
import { TimedTensorRunner } from './timed-tensor-runner.js';

export interface ExecutorOptions {
  readonly engines: readonly EngineV1[];
  readonly registry?: ModelCatalog;
  readonly provisioner?: ModelFileProvisioner;
  readonly createInterpretedPipeline?: InterpretedPipelineFactory;
  /** What METADATA_INVALID issues an engine raises at load call a registry model's file (as the interpreter and codegen do). */
  readonly metadataFile?: (model: RegisteredModel) => string;
  readonly resilience?: ResilienceConfig;
  readonly events?: EventBus;
  /** Engine-specific per-model options from config, keyed `engine:model` or `model`. */
  readonly modelOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Loaded models kept at once; the least recently used idle one is unloaded above it (default 64). */
  readonly maxLoadedModels?: number;
}

/** Default of ExecutorOptions.maxLoadedModels (docs/server.md#limits). */
export const MAX_LOADED_MODELS = 64;

interface LoadedModel {
  readonly files: Readonly<Record<string, string>>;
  readonly pipeline?: ModelPipeline;
  readonly pipelineKind?: PipelineKind;
  /** Image bytes as the pipeline's first step takes them (imageInputFor). */
  readonly imageInput?: (bytes: Uint8Array, signal: AbortSignal) => Promise<unknown>;
  /** Calls running on it (never evicted while > 0) and when it was last used (eviction order). */
  active?: number;
  usedAt?: number;
}

export interface ExecutionResult extends EngineRunResult {
  readonly timings: StageTimings;
  /** Which pre/post pipeline ran, when the model has one. */
  readonly pipeline?: PipelineKind;
}

const now = (): number => performance.now();

/** One engine run's bookkeeping, kept on its attempt (`attempt.context`) until ENGINE_RUN_TIMINGS sees it settle. */
interface EngineRunState {
  readonly loaded: LoadedModel;
  readonly enqueued: number;
  readonly started: number;
  readonly inferStart: number;
}

/** Ends a direct engine run: the model's active count, and the result with its timings (a pipeline's passes through). */
const ENGINE_RUN_TIMINGS: AttemptFinisher = {
  workSettled(attempt, value, failed) {
    const run = attempt.context as EngineRunState | undefined;
    if (run === undefined) return value;
    attempt.context = undefined;
    run.loaded.active! -= 1;
    if (failed) return value;
    const end = now();
    const { enqueued, started, inferStart } = run;
    return new DirectRunResult(value as EngineRunResult, new RunTimings(started - enqueued, inferStart - started, end - inferStart, 0, end - enqueued));
  },
};

/** A direct engine run's result with its timings: the engine's fields copied into one stable shape (no spread). */
class DirectRunResult implements ExecutionResult {
  readonly output: EngineRunResult['output'];
  readonly usage: EngineRunResult['usage'];
  readonly finishReason: EngineRunResult['finishReason'];
  readonly stopSequence: EngineRunResult['stopSequence'];
  readonly metrics: EngineRunResult['metrics'];

  constructor(
    result: EngineRunResult,
    readonly timings: StageTimings,
  ) {
    this.output = result.output;
    this.usage = result.usage;
    this.finishReason = result.finishReason;
    this.stopSequence = result.stopSequence;
    this.metrics = result.metrics;
  }
}

/** StageTimings of a direct engine run: a class, so every call's object has one stable all-double shape. */
class RunTimings implements StageTimings {
  constructor(
    readonly queueMs: number,
    readonly preprocessMs: number,
    readonly inferMs: number,
    readonly postprocessMs: number,
    readonly totalMs: number,
  ) {}
}

/**
 * Middle layer: owns the engine registry, loads models (provisioner + pipeline) and runs one attempt on one target
 * behind that engine's bulkhead, circuit breaker and timeout. It never retries or falls back — the router does.
 */
export class Executor {
  private readonly byId = new Map<string, EngineV1>();
  private readonly guards = new Map<string, EngineGuard>();
  private readonly loads = new Map<string, Promise<LoadedModel>>();
  /** Models whose load finished, by engine then model: lets `execute` skip awaiting an already-settled load. */
  private readonly loaded = new Map<string, Map<string, LoadedModel>>();
  private loadedTotal = 0;
  private useClock = 0;

  constructor(private readonly options: ExecutorOptions) {
    for (const engine of options.engines) {
      if (this.byId.has(engine.id)) {
        throw new SwitchyardError({
          code: 'PLUGIN_REGISTRATION_CONFLICT',
          message: `Two engines share the id '${engine.id}'`,
          details: { engine: engine.id },
        });
      }
      this.byId.set(engine.id, engine);
      this.guards.set(
        engine.id,
        new EngineGuard(engine.id, resolveResilience(options.resilience, engine.id), {
          onCircuitOpen: (model) => options.events?.emit('CircuitOpened', { engine: engine.id, model }),
          onCircuitClose: (model) => options.events?.emit('CircuitClosed', { engine: engine.id, model }),
          onCooldown: (model, ms) => options.events?.emit('DeploymentCooldown', { engine: engine.id, model, ms }),
        }),
      );
    }
  }

  get engines(): readonly EngineV1[] {
    return [...this.byId.values()];
  }

  get registry(): ModelCatalog | undefined {
    return this.options.registry;
  }

  hasEngine(id: string): boolean {
    return this.byId.has(id);
  }

  getEngine(id: string): EngineV1 {
    const engine = this.byId.get(id);
    if (!engine) {
      throw new SwitchyardError({
        code: 'NO_SUCH_ENGINE',
        message: `No engine '${id}' is registered (registered: ${[...this.byId.keys()].join(', ') || 'none'})`,
        details: { engine: id },
      });
    }
    return engine;
  }

  guard(engineId: string): EngineGuard {
    this.getEngine(engineId);
    return this.guards.get(engineId)!;
  }

  /** Engines that can serve a workload, optionally only at one target. */
  enginesFor(workload: Workload, target?: Target): EngineV1[] {
    return this.engines.filter(
      (e) => e.capabilities.workloads.includes(workload) && (target === undefined || e.capabilities.targets.includes(target)),
    );
  }

  /** Loads a model once per engine (concurrent callers share the load; a failed load is forgotten). */
  ensureLoaded(engineId: string, modelId: string, signal: AbortSignal): Promise<LoadedModel> {
    const key = `${engineId}\u0000${modelId}`;
    let pending = this.loads.get(key);
    if (!pending) {
      const started = this.load(this.getEngine(engineId), modelId, signal);
      pending = started;
      this.loads.set(key, started);
      started.then(
        (model) => {
          if (this.loads.get(key) !== started) return;
          let byModel = this.loaded.get(engineId);
          if (!byModel) this.loaded.set(engineId, (byModel = new Map()));
          if (!byModel.has(modelId)) this.loadedTotal += 1;
          model.usedAt = ++this.useClock;
          byModel.set(modelId, model);
          this.evictIdleOverflow();
        },
        () => {
          if (this.loads.get(key) === started) this.loads.delete(key);
        },
      );
    }
    return pending;
  }

  get loadedCount(): number {
    return this.loadedTotal;
  }

  /** Unloads least recently used idle models while more than maxLoadedModels are loaded (only on a new load). */
  private evictIdleOverflow(): void {
    const max = this.options.maxLoadedModels ?? MAX_LOADED_MODELS;
    while (this.loadedTotal > max) {
      let victim: { engineId: string; modelId: string; usedAt: number } | undefined;
      for (const [engineId, byModel] of this.loaded) {
        for (const [modelId, model] of byModel) {
          if ((model.active ?? 0) > 0) continue;
          if (!victim || (model.usedAt ?? 0) < victim.usedAt) victim = { engineId, modelId, usedAt: model.usedAt ?? 0 };
        }
      }
      if (!victim) return;
      this.forget(victim.engineId, victim.modelId);
      void Promise.resolve(this.byId.get(victim.engineId)?.doUnload(victim.modelId, AbortSignal.timeout(30_000))).catch(() => undefined);
    }
  }

  private forget(engineId: string, modelId: string): void {
    this.loads.delete(`${engineId}\u0000${modelId}`);
    const byModel = this.loaded.get(engineId);
    if (byModel?.delete(modelId)) this.loadedTotal -= 1;
  }

  private async load(engine: EngineV1, modelId: string, signal: AbortSignal): Promise<LoadedModel> {
    const registered = this.options.registry?.get(modelId);
    let files: Readonly<Record<string, string>> = {};
    let metadata = registered?.metadata;
    const events = this.options.events;
    if (registered && this.options.provisioner) {
      const onProgress = events ? (progress: ProvisionProgress) => events.emit('ModelLoadProgress', { model: modelId, engine: engine.id, ...progress }) : undefined;
      const provisioned = await this.options.provisioner.provision(modelId, signal, onProgress);
      files = provisioned.files;
      metadata = provisioned.metadata ?? metadata;
    }
    // The pipeline first: metadata the interpreter refuses (METADATA_INVALID, located) never reaches the engine.
    const pipeline = await this.pipelineOf(registered, metadata);
    const options = this.options.modelOptions?.[`${engine.id}:${modelId}`] ?? this.options.modelOptions?.[modelId];
    events?.emit('ModelLoadProgress', { model: modelId, engine: engine.id, stage: 'load' });
    try {
      await engine.doLoad({ id: modelId, files, ...(metadata !== undefined ? { metadata } : {}), ...(options ? { options } : {}) }, signal);
    } catch (error) {
      // An engine does not know where the metadata came from: its issues are filed under the name the app shows.
      if (MetadataInvalidError.isInstance(error) && registered && this.options.metadataFile) {
        const file = this.options.metadataFile(registered);
        throw new MetadataInvalidError({ issues: error.issues.map((issue) => ({ ...issue, file })), cause: error });
      }
      throw toSwitchyardError(error, 'MODEL_LOAD_FAILED');
    }
    events?.emit('ModelLoadProgress', { model: modelId, engine: engine.id, stage: 'ready' });
    return pipeline ? { files, ...pipeline, imageInput: imageInputFor(metadata, modelId) } : { files };
  }

  /** A registry model's generated pipeline, else one interpreted from its metadata (undefined: the engine runs alone). */
  private async pipelineOf(registered: RegisteredModel | undefined, metadata: unknown): Promise<{ pipeline: ModelPipeline; pipelineKind: PipelineKind } | undefined> {
    const generated = registered?.pipeline ?? (registered?.loadPipeline ? ((await registered.loadPipeline()) as ModelPipeline) : undefined);
    if (generated) return { pipeline: generated, pipelineKind: 'generated' };
    if (registered && metadata !== undefined && this.options.createInterpretedPipeline) {
      return { pipeline: await this.options.createInterpretedPipeline(metadata, registered), pipelineKind: 'interpreted' };
    }
    return undefined;
  }

  /** Runs on a target that must be `local` (in-process). */
  executeLocal(target: ExecutionTarget, request: EngineRunRequest, signal: CallSignal, timeoutMs?: number): Promise<ExecutionResult> {
    return this.executeAt('local', target, request, signal, timeoutMs);
  }

  /** Runs on a target that must be remote (`cloud` or `edge`). */
  executeCloud(target: ExecutionTarget, request: EngineRunRequest, signal: CallSignal, timeoutMs?: number): Promise<ExecutionResult> {
    return this.executeAt(target.target === 'edge' ? 'edge' : 'cloud', target, request, signal, timeoutMs);
  }

  private async executeAt(
    where: Target,
    target: ExecutionTarget,
    request: EngineRunRequest,
    signal: CallSignal,
    timeoutMs?: number,
  ): Promise<ExecutionResult> {
    const engine = this.getEngine(target.engine);
    if (!engine.capabilities.targets.includes(where)) {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `Engine '${engine.id}' does not run at target '${where}' (it runs at: ${engine.capabilities.targets.join(', ')})`,
        details: { engine: engine.id, expected: where, found: engine.capabilities.targets },
      });
    }
    return this.execute(target, request, signal, timeoutMs);
  }

  /** One guarded attempt on one target. */
  execute(target: ExecutionTarget, request: EngineRunRequest, signal: CallSignal, timeoutMs?: number): Promise<ExecutionResult> {
    // Not async: the hot path (free slot, closed circuit, model loaded) adds no promise layer of its own.
    let attempt: GuardedAttempt | undefined;
    let engine: EngineV1;
    let guard: EngineGuard;
    const enqueued = now();
    try {
      engine = this.getEngine(target.engine);
      this.checkWorkload(engine, request);
      guard = this.guards.get(engine.id)!;
      attempt = guard.tryEnter(signal, timeoutMs, target.model);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!attempt) return this.executeQueued(guard, engine, target, request, signal, timeoutMs, enqueued);
    return this.start(attempt, engine, target.model, request, enqueued);
  }

  private async executeQueued(
    guard: EngineGuard,
    engine: EngineV1,
    target: ExecutionTarget,
    request: EngineRunRequest,
    signal: CallSignal,
    timeoutMs: number | undefined,
    enqueued: number,
  ): Promise<ExecutionResult> {
    return this.start(await guard.enter(signal, timeoutMs, target.model), engine, target.model, request, enqueued);
  }

  /** A loaded model without a pipeline to run: straight to the engine; otherwise load first / run the pipeline. */
  private start(attempt: GuardedAttempt, engine: EngineV1, modelId: string, request: EngineRunRequest, enqueued: number): Promise<ExecutionResult> {
    const loaded = this.loaded.get(engine.id)?.get(modelId);
    if (loaded && !(loaded.pipeline && request.input.kind !== 'tensors')) {
      return attempt.settle(this.runEngine(attempt, engine, loaded, modelId, request, enqueued, now()), ENGINE_RUN_TIMINGS);
    }
    return attempt.settle(this.loadAndRun(attempt, engine, modelId, request, enqueued), ENGINE_RUN_TIMINGS);
  }

  /**
   * The engine's run (its raw result: ENGINE_RUN_TIMINGS adds the timings and ends the model's active count when it
   * settles). `doRunChecked` when the engine has it: the attempt is its AbortCheck, so an engine that only reads
   * `aborted` costs the call no AbortController.
   */
  private runEngine(
    attempt: GuardedAttempt,
    engine: EngineV1,
    loaded: LoadedModel,
    modelId: string,
    request: EngineRunRequest,
    enqueued: number,
    started: number,
  ): Promise<EngineRunResult> {
    loaded.active = (loaded.active ?? 0) + 1;
    loaded.usedAt = ++this.useClock;
    const run: EngineRunState = { loaded, enqueued, started, inferStart: now() };
    attempt.context = run;
    const runRequest: EngineRunRequest = request.modelId === modelId ? request : { ...request, modelId };
    try {
      return engine.doRunChecked ? engine.doRunChecked(runRequest, attempt) : engine.doRun(runRequest, attempt.signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** First call of a model (load, then the engine) and pipeline calls (they carry their own timings). */
  private async loadAndRun(attempt: GuardedAttempt, engine: EngineV1, modelId: string, request: EngineRunRequest, enqueued: number): Promise<unknown> {
    const started = now();
    const loaded = this.loaded.get(engine.id)?.get(modelId) ?? (await this.ensureLoaded(engine.id, modelId, attempt.signal));
    if (!(loaded.pipeline && request.input.kind !== 'tensors')) return this.runEngine(attempt, engine, loaded, modelId, request, enqueued, started);
    loaded.active = (loaded.active ?? 0) + 1;
    loaded.usedAt = ++this.useClock;
    try {
      const runRequest: EngineRunRequest = request.modelId === modelId ? request : { ...request, modelId };
      return await this.runPipeline(engine, loaded, runRequest, attempt.signal, started - enqueued);
    } finally {
      loaded.active! -= 1;
    }
  }

  private async runPipeline(
    engine: EngineV1,
    loaded: LoadedModel,
    request: EngineRunRequest,
    signal: AbortSignal,
    queueMs: number,
  ): Promise<ExecutionResult> {
    const runner = new TimedTensorRunner(engine, request.modelId, request.correlationId);
    const start = now();
    const input = request.input.kind === 'image' && loaded.imageInput ? await loaded.imageInput(request.input.data, signal) : toPipelineInput(request.input);
    const value = await loaded.pipeline!.run(input, { runner, signal, files: loaded.files });
    const end = now();
    const preprocessMs = (runner.firstStart ?? end) - start;
    const postprocessMs = end - (runner.lastEnd ?? end);
    return {
      output: { kind: 'json', value },
      usage: {},
      finishReason: 'stop',
      timings: { queueMs, preprocessMs, inferMs: runner.inferMs, postprocessMs, totalMs: queueMs + (end - start) },
      ...(loaded.pipelineKind ? { pipeline: loaded.pipelineKind } : {}),
    };
  }

  /** A guarded token stream from one target; the bulkhead slot is held until the stream ends. */
  async *stream(target: ExecutionTarget, request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    const engine = this.getEngine(target.engine);
    this.checkWorkload(engine, request);
    const release = await this.guards.get(engine.id)!.acquireStreamSlot(signal, target.model);
    let failure: unknown;
    let loaded: LoadedModel | undefined;
    try {
      loaded = await this.ensureLoaded(engine.id, target.model, signal);
      loaded.active = (loaded.active ?? 0) + 1;
      loaded.usedAt = ++this.useClock;
      for await (const part of engine.doStream({ ...request, modelId: target.model }, signal)) {
        if (part.type === 'error') {
          failure = part.error;
          throw toSwitchyardError(part.error, 'PROVIDER_ERROR');
        }
        yield part;
      }
    } catch (error) {
      failure ??= error;
      throw signal.aborted
        ? new SwitchyardError({ code: 'ABORTED', message: `Stream from '${describeTarget(target)}' was aborted`, cause: error })
        : toSwitchyardError(error);
    } finally {
      if (loaded) loaded.active! -= 1;
      release(signal.aborted ? undefined : failure);
    }
  }

  /**
   * Opens a chunk-in session on a registry model whose pipeline supports streaming. The session takes the engine's
   * bulkhead slot and circuit check once, here, and holds the slot until it closes or its signal aborts.
   */
  async openStream(
    target: ExecutionTarget,
    signal: AbortSignal,
    settings?: Record<string, unknown>,
  ): Promise<PipelineStreamSession<unknown, unknown>> {
    const engine = this.getEngine(target.engine);
    const loaded = await this.ensureLoaded(engine.id, target.model, signal);
    if (!loaded.pipeline?.openStream) {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `Model '${target.model}' has no streaming pipeline (no StatefulStream execution mode)`,
        details: { model: target.model, engine: engine.id },
      });
    }
    const release = await this.guards.get(engine.id)!.acquireStreamSlot(signal, target.model);
    try {
      const runner = new TimedTensorRunner(engine, target.model, undefined);
      return new GuardedStreamSession(loaded.pipeline.openStream({ runner, signal, files: loaded.files }, settings), release, signal);
    } catch (error) {
      release(error);
      throw error;
    }
  }

  private checkWorkload(engine: EngineV1, request: EngineRunRequest): void {
    if (!engine.capabilities.workloads.includes(request.workload)) {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `Engine '${engine.id}' does not support workload '${request.workload}'`,
        details: { engine: engine.id, expected: engine.capabilities.workloads, found: request.workload },
      });
    }
  }

  /**
   * Unloads one model and forgets it, so the next call loads it again (pool reloads go through here: an engine
   * unloaded behind the executor's back would fail MODEL_NOT_LOADED until restart).
   */
  async unload(engineId: string, modelId: string, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<void> {
    this.forget(engineId, modelId);
    await this.getEngine(engineId).doUnload(modelId, signal);
  }

  /** Unloads every loaded model (best effort) — called by app shutdown. */
  async unloadAll(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const entries = [...this.loads.keys()];
    this.loads.clear();
    this.loaded.clear();
    this.loadedTotal = 0;
    await Promise.allSettled(
      entries.map((key) => {
        const [engineId, modelId] = key.split('\u0000') as [string, string];
        return this.byId.get(engineId)?.doUnload(modelId, signal);
      }),
    );
  }
}

/**
 * What a model pipeline receives, as the step values of its first step: image bytes (what decode steps take), audio as
 * `{ samples, sampleRate }` (AudioSamples), JSON unwrapped (a JSON tensor — `{dims, data}` or a nested numeric array —
 * as a Tensor), text batches as `string[]` and a plain prompt as a string (what Tokenize-style first steps take).
 */
export function toPipelineInput(input: EngineRunRequest['input']): unknown {
  switch (input.kind) {
    case 'image':
      return input.data;
    case 'audio':
      return { samples: input.samples, sampleRate: input.sampleRate };
    case 'json':
      return jsonTensor(input.value, 'input') ?? input.value;
    case 'texts':
      return input.texts;
    case 'text':
      return input.messages === undefined && input.prompt !== undefined ? input.prompt : input;
    default:
      return input;
  }
}
