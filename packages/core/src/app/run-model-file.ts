import { dirname, join, resolve } from 'node:path';
import { definePlugin, type EngineInput, type EngineV1, type InferenceResult, type PluginLogger } from '@switchyard/spec';
import type { Executor } from '../executor/executor.js';
import type { PipelineKind } from '../executor/model-catalog.js';
import { readModelInputFile } from '../executor/model-input-file.js';
import { isXybPath } from '../bundles/xyb-bundle.js';
import { readModelMetadataFile } from '../template-executor/metadata-file.js';
import { VERSION } from '../version.js';
import { createSwitchyardApp } from './create-app.js';

export interface RunModelFileOptions {
  /** A model_metadata.json, its model folder, or a `.xyb` bundle. */
  readonly path: string;
  /** What `orchestrator.run` takes, or an input file read as `switchyard run` reads it (readModelInputFile). */
  readonly input: EngineInput | { readonly file: string };
  /** The engine the model runs on (loaded for this run and unloaded after; the caller closes it). */
  readonly engine: EngineV1;
  readonly signal?: AbortSignal;
  /** The app's `models.cacheDir` (downloads, extracted `.xyb` bundles); default `.switchyard/cache` beside the model folder or bundle. */
  readonly cacheDir?: string;
  /** The run's logger: unknown metadata fields are warned here (file and pointer). Default silent. */
  readonly logger?: PluginLogger;
}

export interface RunModelFileResult {
  readonly modelId: string;
  /** The model's output: the pipeline's value (or the engine's output for a model without pre/post steps). */
  readonly output: unknown;
  /** Which pipeline ran (`interpreted`: the folder's metadata, read at run time). */
  readonly pipeline: PipelineKind | undefined;
  /** The whole orchestrator result (decision, timings, usage). */
  readonly result: InferenceResult;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Runs one model_metadata.json (folder, file or `.xyb`) once, through the one model path: an app whose `models.dirs`
 * is that model, `orchestrator.run` (policy, routing, resilience, telemetry, the interpreted pipeline) on `engine`.
 */
export async function runModelFromMetadataFile(options: RunModelFileOptions): Promise<RunModelFileResult> {
  const path = resolve(options.path);
  const xyb = isXybPath(path);
  const cacheDir = options.cacheDir !== undefined ? resolve(options.cacheDir) : undefined;
  // A .xyb is extracted once, where the app below looks for it (`<cacheDir>/bundles`, the app default beside it).
  const bundles = { cacheDir: join(cacheDir ?? join(dirname(path), '.switchyard', 'cache'), 'bundles') };
  const read = await readModelMetadataFile(path, xyb ? { bundles } : {});
  const modelId = read.metadata.model_id;
  // A models.dirs entry that is a model folder (or a .xyb) holds exactly this model, found by its model_id.
  const entry = xyb ? path : read.dir;
  const engine = options.engine;
  const app = await createSwitchyardApp({
    config: { models: { dirs: [entry], ...(cacheDir !== undefined ? { cacheDir } : {}) } },
    baseDir: dirname(entry),
    plugins: [definePlugin({ name: 'run-model-file', version: VERSION, core: `^${VERSION}`, configSchema: { type: 'object' }, register: (context) => context.registerEngine(engine) })],
    logger: options.logger ?? silent,
  });
  try {
    const input = 'file' in options.input ? await readModelInputFile(options.input.file, read.json, modelId) : options.input;
    const result = await app.orchestrator.run({ model: modelId, workload: 'inference', input }, options.signal ? { signal: options.signal } : {});
    return { modelId, output: result.output.kind === 'json' ? result.output.value : result.output, pipeline: result.pipeline, result };
  } finally {
    await (app.executor as Executor).unloadAll();
    await app.shutdown();
  }
}
