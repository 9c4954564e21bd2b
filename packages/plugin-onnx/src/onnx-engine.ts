import { access } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { InvalidInputError, SwitchyardError } from '@switchyard/spec';
import type {
  AbortCheck, EngineCapabilities, EngineHealth, EngineModelSpec, EngineRunRequest, EngineRunResult, EngineStreamPart, EngineV1, TensorMap,
} from '@switchyard/spec';
import { bindInputs, checkInputs, readInputSpecs, type InputSpec } from './onnx-input-check.js';
import { checkGraphsFitMetadata } from './onnx-graph-check.js';
import { runIterativeRefinement } from './onnx-iterative-refinement.js';
import { readModelLayout, type OnnxStageLayout } from './onnx-model-layout.js';
import {
  availableExecutionProviders, checkExecutionProviders, onnxModelOptionsSchema, ONNX_MODEL_OPTION_KEYS, resolveOnnxOptions, sessionOptionsKey, toSessionOptions,
  type OnnxPluginOptions, type ResolvedOnnxOptions,
} from './onnx-options.js';
import { OnnxSessionCache, type SessionLease } from './onnx-session-cache.js';
import { fromOrtTensors, toOrtTensor, zeroTensor } from './onnx-tensor.js';
import { readKvLayout, runDecoderLoop, type DecoderLoopOptions, type DecoderLoopResult, type KvLayout } from './onnx-decoder-loop.js';
import { autoregressiveLoopOptions } from './onnx-autoregressive.js';
import { whisperLoopOptions } from './onnx-whisper-decoder.js';

interface LoadedStage {
  readonly modelId: string;
  readonly layout: OnnxStageLayout;
  readonly lease: SessionLease<ort.InferenceSession>;
  readonly session: ort.InferenceSession;
  readonly inputs: readonly InputSpec[];
  readonly outputNames: readonly string[];
  readonly kv?: KvLayout;
  readonly where: string;
}

interface LoadedModel {
  readonly id: string;
  readonly stages: readonly LoadedStage[];
  readonly byName: ReadonlyMap<string, LoadedStage>;
}

const GENERATING = new Set(['Autoregressive', 'WhisperDecoder']);
/** Decoder inputs the loop fills itself; every other non-past input comes from the encoder. */
const LOOP_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch']);

/** The onnxruntime-node engine: one session per graph file (per ModelGraph stage), shared through an LRU cache. */
export class OnnxEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: EngineCapabilities = {
    // pipelines turn text, images and audio into tensors for this engine, so it serves every local workload
    workloads: ['inference', 'stream', 'completion', 'embedding', 'transcription'],
    targets: ['local'],
    features: ['tensors', 'model-graph', 'streaming', 'kv-cache', 'abort', 'seed'],
  };
  /** Checked by the app at start against every `models.overrides.<id>.options` of a model this engine runs. */
  readonly modelOptionsSchema = onnxModelOptionsSchema;
  readonly options: ResolvedOnnxOptions;
  readonly sessions: OnnxSessionCache<ort.InferenceSession>;
  private readonly models = new Map<string, LoadedModel>();
  private readonly warmed = new WeakSet<ort.InferenceSession>();
  private warmups = 0;

  constructor(options: OnnxPluginOptions = {}) {
    this.options = resolveOnnxOptions(options);
    checkExecutionProviders(this.options.executionProviders);
    this.id = this.options.engineId;
    this.sessions = new OnnxSessionCache(this.options.sessionCacheSize);
  }

  get loadedModelIds(): string[] {
    return [...this.models.keys()];
  }

  async doLoad(spec: EngineModelSpec, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal, `loading model '${spec.id}'`);
    if (spec.metadata === undefined && Object.keys(spec.files).length === 0) {
      // Nothing to load: the id is in no model folder or registry (`onnx:<typo>`); not the engine's fault.
      throw new SwitchyardError({
        code: 'NO_SUCH_MODEL',
        message: `ONNX engine '${this.id}': no model '${spec.id}' (no model_metadata.json and no files; is it in models.dirs or the app's registry?)`,
        details: { modelId: spec.id, engine: this.id },
      });
    }
    checkModelOptionKeys(spec);
    const layout = readModelLayout(spec.id, spec.metadata, spec.files);
    const stages: LoadedStage[] = [];
    try {
      for (const stageLayout of layout.stages) {
        throwIfAborted(signal, `loading model '${spec.id}'`);
        stages.push(await this.loadStage(spec, stageLayout, this.stageOptions(spec, stageLayout)));
      }
      checkGraphsFitMetadata(spec.id, spec.metadata, new Map(stages.map((s) => [s.layout.name, s.session])));
    } catch (error) {
      await Promise.all(stages.map((s) => s.lease.release()));
      throw error;
    }
    const previous = this.models.get(spec.id);
    this.models.set(spec.id, { id: spec.id, stages, byName: new Map(stages.map((s) => [s.layout.name, s])) });
    if (previous) await Promise.all(previous.stages.map((s) => s.lease.release()));
  }

  doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult> {
    return this.doRunChecked(request, new SignalAbortCheck(signal));
  }

  /** doRun on an AbortCheck: a one-shot graph run only reads `abort.aborted` (no AbortSignal needed for it). */
  async doRunChecked(request: EngineRunRequest, abort: AbortCheck): Promise<EngineRunResult> {
    const { model, stage, tensors } = this.target(request);
    throwIfAborted(abort, `run of model '${model.id}'`);
    if (!GENERATING.has(stage.layout.mode.type)) {
      return { output: { kind: 'tensors', tensors: await this.runOnce(stage, tensors, abort) }, finishReason: 'stop' };
    }
    const tokens: number[] = [];
    const generator = this.generate(model, stage, tensors, request, abort.signal);
    let next = await generator.next();
    while (!next.done) {
      tokens.push(next.value);
      next = await generator.next();
    }
    const result = next.value;
    const data = BigInt64Array.from(tokens, (t) => BigInt(t));
    return {
      output: { kind: 'tensors', tensors: { tokens: { type: 'int64', dims: [1, tokens.length], data } } },
      finishReason: result.finishReason,
      usage: { inputTokens: result.inputTokens, outputTokens: tokens.length, totalTokens: result.inputTokens + tokens.length },
      metrics: { decoder_steps: result.steps, encoder_runs: result.encoderRuns },
    };
  }

  async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncIterable<EngineStreamPart> {
    try {
      const { model, stage, tensors } = this.target(request);
      yield { type: 'start', modelId: model.id };
      if (!GENERATING.has(stage.layout.mode.type)) {
        throwIfAborted(signal, `run of model '${model.id}'`);
        yield { type: 'delta', kind: 'tensor', tensors: await this.runOnce(stage, tensors, new SignalAbortCheck(signal)) };
        yield { type: 'finish', usage: {}, finishReason: 'stop' };
        return;
      }
      const generator = this.generate(model, stage, tensors, request, signal);
      let count = 0;
      let next = await generator.next();
      while (!next.done) {
        count += 1;
        yield { type: 'delta', kind: 'token', tokenId: next.value };
        next = await generator.next();
      }
      const { inputTokens, steps, encoderRuns, finishReason } = next.value;
      yield { type: 'metrics', metrics: { decoder_steps: steps, encoder_runs: encoderRuns } };
      yield { type: 'finish', usage: { inputTokens, outputTokens: count, totalTokens: inputTokens + count }, finishReason };
    } catch (error) {
      yield { type: 'error', error };
    }
  }

  async doUnload(modelId: string, _signal: AbortSignal): Promise<void> {
    const model = this.models.get(modelId);
    if (!model) return;
    this.models.delete(modelId);
    await Promise.all(model.stages.map((s) => s.lease.release()));
  }

  async health(): Promise<EngineHealth> {
    return {
      ok: true,
      details: {
        executionProviders: this.options.executionProviders,
        availableExecutionProviders: availableExecutionProviders(),
        loadedModels: this.models.size,
        cachedSessions: this.sessions.size,
        warmedUpSessions: this.warmups,
      },
    };
  }

  /** Unloads every model and releases every cached session (plugin shutdown). */
  async close(): Promise<void> {
    for (const id of [...this.models.keys()]) await this.doUnload(id, new AbortController().signal);
    await this.sessions.clear();
  }

  /**
   * A stage's session options: the plugin's options, then the stage's metadata `config.onnx`, then the app's
   * per-model options (config `models`), each overriding the one before.
   */
  private stageOptions(spec: EngineModelSpec, layout: OnnxStageLayout): ResolvedOnnxOptions {
    const overrides = spec.options ?? {};
    const own = ONNX_MODEL_OPTION_KEYS.filter((k) => overrides[k] !== undefined);
    if (own.length === 0 && !layout.session) return this.options;
    const merged = resolveOnnxOptions({ ...this.options, ...layout.session, ...Object.fromEntries(own.map((k) => [k, overrides[k]])) });
    checkExecutionProviders(merged.executionProviders);
    return merged;
  }

  private async loadStage(spec: EngineModelSpec, layout: OnnxStageLayout, options: ResolvedOnnxOptions): Promise<LoadedStage> {
    const where = `model '${spec.id}' stage '${layout.name}'`;
    const path = spec.files[layout.file];
    if (path === undefined) {
      throw new SwitchyardError({
        code: 'MODEL_LOAD_FAILED',
        message: `${where}: graph file '${layout.file}' is not among the model's resolved files (${Object.keys(spec.files).join(', ') || 'none'})`,
        details: { modelId: spec.id, stage: layout.name, file: layout.file },
      });
    }
    const lease = await this.sessions.acquire(`${path}\u0000${sessionOptionsKey(options)}`, () => createSession(path, layout.file, options, where));
    try {
      const session = lease.session;
      const inputs = readInputSpecs(session);
      const outputNames = [...session.outputNames];
      const kv = GENERATING.has(layout.mode.type) ? readKvLayout(inputs, outputNames, where) : undefined;
      if (this.options.warmup && !kv && !this.warmed.has(session) && (await warmUp(session, inputs))) {
        this.warmed.add(session);
        this.warmups += 1;
      }
      return { modelId: spec.id, layout, lease, session, inputs, outputNames, where, ...(kv ? { kv } : {}) };
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  private target(request: EngineRunRequest): { model: LoadedModel; stage: LoadedStage; tensors: TensorMap } {
    const model = this.models.get(request.modelId);
    if (!model) {
      throw new SwitchyardError({
        code: 'MODEL_NOT_LOADED',
        message: `The ONNX engine has not loaded model '${request.modelId}' (loaded: ${this.loadedModelIds.join(', ') || 'none'})`,
        details: { modelId: request.modelId },
      });
    }
    const input = request.input;
    if (input.kind !== 'tensors') {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `model '${model.id}': the ONNX engine takes input kind 'tensors', found '${input.kind}' (pre-processing turns other inputs into tensors)`,
        details: { modelId: model.id, expected: 'tensors', found: input.kind },
      });
    }
    const stage = input.stage === undefined && model.stages.length === 1 ? model.stages[0] : model.byName.get(input.stage ?? '');
    if (!stage) {
      const names = model.stages.map((s) => s.layout.name).join(', ');
      throw new InvalidInputError({
        message: `model '${model.id}': ${input.stage === undefined ? 'a stage name is required' : `no stage '${input.stage}'`} (stages: ${names})`,
        modelId: model.id, field: 'input.stage', expected: names, found: input.stage ?? 'undefined',
      });
    }
    return { model, stage, tensors: input.tensors };
  }

  /** A non-generating run: once, or num_steps times for IterativeRefinement. */
  private runOnce(stage: LoadedStage, tensors: TensorMap, abort: AbortCheck): Promise<TensorMap> {
    const mode = stage.layout.mode;
    if (mode.type !== 'IterativeRefinement') return this.runStage(stage, tensors);
    const graph = { inputNames: stage.inputs.map((s) => s.name), outputNames: stage.outputNames, where: stage.where };
    return runIterativeRefinement(mode, tensors, graph, (feeds) => this.runStage(stage, feeds), abort.signal);
  }

  private async runStage(stage: LoadedStage, given: TensorMap): Promise<TensorMap> {
    const tensors = bindInputs(given, stage.inputs);
    checkInputs(tensors, stage.inputs, { modelId: stage.modelId, stage: stage.layout.name });
    const feeds: Record<string, ort.Tensor> = {};
    for (const spec of stage.inputs) feeds[spec.name] = toOrtTensor(tensors[spec.name]!);
    try {
      return fromOrtTensors(await stage.session.run(feeds), stage.outputNames);
    } catch (error) {
      throw new SwitchyardError({ code: 'STEP_FAILED', message: `${stage.where}: onnxruntime failed: ${(error as Error).message}`, cause: error, details: { stage: stage.layout.name } });
    }
  }

  private async *generate(
    model: LoadedModel, stage: LoadedStage, tensors: TensorMap, request: EngineRunRequest, signal: AbortSignal,
  ): AsyncGenerator<number, DecoderLoopResult & { inputTokens: number; encoderRuns: number }> {
    const mode = stage.layout.mode;
    let options: DecoderLoopOptions;
    let encoderRuns = 0;
    if (mode.type === 'Autoregressive') {
      options = autoregressiveLoopOptions(mode, tensors, request.parameters, signal, stage.where);
    } else if (mode.type === 'WhisperDecoder') {
      const extras = stage.inputs.filter((s) => !LOOP_INPUTS.has(s.name) && !s.name.startsWith('past_key_values.'));
      let feeds: Record<string, ort.Tensor>;
      if (extras.every((s) => tensors[s.name])) {
        feeds = Object.fromEntries(extras.map((s) => [s.name, toOrtTensor(tensors[s.name]!)]));
      } else {
        const encoder = model.stages[model.stages.indexOf(stage) - 1];
        if (!encoder) {
          throw new InvalidInputError({
            message: `${stage.where}: give ${extras.map((s) => `'${s.name}'`).join(', ')} or the encoder's inputs (the model has no stage before the decoder)`,
            modelId: model.id, field: extras.map((s) => s.name).join(', '), found: Object.keys(tensors).join(', '),
          });
        }
        throwIfAborted(signal, `run of model '${model.id}'`);
        const encoded = await this.runStage(encoder, tensors);
        encoderRuns += 1;
        feeds = Object.fromEntries(extras.map((s, i) => [s.name, toOrtTensor(encoded[s.name] ?? encoded[encoder.outputNames[i]!]!)]));
      }
      options = whisperLoopOptions(mode, feeds, request.parameters, signal, stage.where);
    } else {
      throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${stage.where}: mode ${mode.type} does not generate tokens` });
    }
    const loop = runDecoderLoop({ session: stage.session, inputs: stage.inputs, kv: stage.kv!, where: stage.where }, options);
    const result = yield* loop;
    return { ...result, inputTokens: options.prefix.length, encoderRuns };
  }
}

function throwIfAborted(abort: Pick<AbortCheck, 'aborted' | 'reason'>, what: string): void {
  if (abort.aborted) throw new SwitchyardError({ code: 'ABORTED', message: `The ${what} was aborted`, cause: abort.reason });
}

/** An AbortSignal seen as an AbortCheck (doRun's signal). */
class SignalAbortCheck implements AbortCheck {
  constructor(readonly signal: AbortSignal) {}

  get aborted(): boolean {
    return this.signal.aborted;
  }

  get reason(): unknown {
    return this.signal.reason;
  }
}

/** onnxruntime-node's wording when it refuses a session option (not the graph): `sessionOptions.x must be ...`, `'x' is invalid`. */
const SESSION_OPTION_ERROR = /sessionOptions\.|'(executionProviders|intraOpNumThreads|interOpNumThreads|graphOptimizationLevel)' is (invalid|not supported)/;

/** `file` is the graph's name in the model folder (metadata `files`): messages never show the absolute path. */
async function createSession(path: string, file: string, options: ResolvedOnnxOptions, where: string): Promise<ort.InferenceSession> {
  try {
    await access(path);
  } catch (error) {
    throw new SwitchyardError({ code: 'MODEL_LOAD_FAILED', message: `${where}: cannot read graph file ${file}`, cause: error, details: { file } });
  }
  try {
    return await ort.InferenceSession.create(path, toSessionOptions(options));
  } catch (error) {
    const reason = (error as Error).message.split(path).join(file);
    const message = SESSION_OPTION_ERROR.test(reason)
      ? `${where}: onnxruntime refused the session options for ${file} (plugin options, the model's config.onnx, models.overrides.<id>.options): ${reason}`
      : `${where}: onnxruntime could not load ${file} (truncated or not an ONNX model?): ${reason}`;
    throw new SwitchyardError({ code: 'MODEL_LOAD_FAILED', message, cause: error, details: { file } });
  }
}

/**
 * One best-effort run on zero-filled inputs (symbolic dims = 1) so the first real call does not pay for lazy
 * initialisation. A graph that rejects zeros (e.g. it checks a sample rate) is simply not warmed: returns false.
 */
async function warmUp(session: ort.InferenceSession, inputs: readonly InputSpec[]): Promise<boolean> {
  if (inputs.some((s) => s.type === 'string' || s.type === 'unknown')) return false;
  try {
    const feeds = Object.fromEntries(inputs.map((s) => [s.name, zeroTensor(s.type as ort.Tensor.Type, s.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1)))]));
    await session.run(feeds);
    return true;
  } catch {
    return false;
  }
}

/**
 * Unknown per-model option keys fail the load (the app refuses them at start already, located, through
 * modelOptionsSchema; this covers an engine used without an app).
 */
function checkModelOptionKeys(spec: EngineModelSpec): void {
  const unknown = Object.keys(spec.options ?? {}).filter((key) => !(ONNX_MODEL_OPTION_KEYS as readonly string[]).includes(key));
  if (unknown.length === 0) return;
  throw new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: `models.overrides.${spec.id}.options: ${unknown.map((k) => `'${k}'`).join(', ')} ${unknown.length === 1 ? 'is not an option' : 'are not options'} of the ONNX engine (expected one of ${ONNX_MODEL_OPTION_KEYS.join(', ')})`,
    details: { modelId: spec.id, keys: unknown, expected: [...ONNX_MODEL_OPTION_KEYS] },
  });
}
