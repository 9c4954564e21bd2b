import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CONFIG_FILE_NAMES,
  configuredModelsDirs,
  modelBundleCacheDir,
  openConfiguredModelCatalog,
  SwitchyardError,
  createSwitchyardApp,
  isXybPath,
  modelInputFromText,
  readModelInputFile,
  readModelMetadataFile,
  type PluginLogger,
  loadConfig,
  locateConfigError,
  TOKENS,
  type EngineInput,
  type EventBus,
  type FoundModel,
  type Executor,
  type InferenceResult,
  type SwitchyardConfig,
} from '@switchyard/core';
import { createOnnxPlugin } from '@switchyard/plugin-onnx';
import { cliLogger } from '../cli-logger.js';
import { shownRelativeTo } from '../config-shown.js';
import { fail, print, progressStream } from '../output.js';
import { addPipelineOptions, runPipelineCommand, type RunPipelineFlags } from './run-pipeline.js';
import { formatModelOutput, toJsonValue } from './run-output.js';
import { RunProgressLine, type LoadProgress } from './run-progress.js';
import { nonEmpty, repeatable } from '../repeatable-option.js';

export interface RunModelOptions {
  /** A model id (registry model or folder under a models dir), a model folder, or a path to its model_metadata.json. */
  readonly model: string;
  /** An input file (.png/.jpg/.webp, .wav, .txt, .json) ... */
  readonly inputFile?: string;
  /** ... or text (`--text`). */
  readonly text?: string;
  /** App config file or directory; default: a switchyard.config.* in the current directory, if any. */
  readonly config?: string;
  /** Extra folders of model folders (`--models-dir`), searched before the config's `models.dirs`. */
  readonly modelsDirs?: readonly string[];
  readonly signal?: AbortSignal;
  /** Called at each model load stage: resolving and verifying files, creating the engine session, ready. */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Unknown model_metadata.json fields of a model given as a folder, file or bundle are errors, not warnings. */
  readonly strict?: boolean;
  /**
   * The app's logger: its warnings (unknown metadata fields, config warnings, a stale generated registry) come through
   * it. Default: none shown.
   */
  readonly logger?: PluginLogger;
  /** Called with the model id once known (a model given by path is named by its metadata's model_id). */
  readonly onModelId?: (modelId: string) => void;
}

export interface RunModelResult {
  readonly modelId: string;
  readonly output: unknown;
  readonly result: InferenceResult;
}

/**
 * The app config `switchyard run` uses: the explicit one, else one in the current directory, else none. `file` is the
 * config file as the user named it: relative to the current directory unless `--config` was absolute.
 */
export async function appConfig(explicit: string | undefined): Promise<{ config: SwitchyardConfig; baseDir: string; file?: string; locate: (error: unknown) => unknown }> {
  const path = explicit ?? (CONFIG_FILE_NAMES.some((name) => existsSync(name)) ? process.cwd() : undefined);
  if (!path) return { config: {}, baseDir: process.cwd(), locate: (error) => error };
  const loaded = await loadConfig(path, shownRelativeTo(explicit));
  const file = loaded.shownAs;
  // An error naming a config pointer (/models/dirs/0, /models/overrides/x/engine) gets the file's line and column.
  return { config: loaded.config, baseDir: loaded.baseDir, file, locate: (error) => locateConfigError(error, file, loaded.source) };
}

/**
 * A model written as a path (has a '/', or names a model_metadata.json or a .xyb), not an id: `engine:model` refs
 * may hold a '/' after the engine (`openrouter:meta-llama/llama-3`), so a ':' before the first '/' is a ref.
 */
function looksLikePath(model: string): boolean {
  if (basename(model) === 'model_metadata.json' || isXybPath(model)) return true;
  const slash = model.search(/[\\/]/);
  if (slash < 0) return false;
  const colon = model.indexOf(':');
  return colon < 0 || colon > slash || /^[A-Za-z]:[\\/]/.test(model);
}

/** A model folder (or its model_metadata.json) given as a path: the folder. */
function modelFolderOf(model: string): string | undefined {
  if (!existsSync(model)) return undefined;
  // Named as the user typed it (relative to the current folder unless they typed an absolute path).
  if (!statSync(model).isDirectory()) {
    if (basename(model) === 'model_metadata.json') return dirname(model);
    // Another file (an input given first, a README in a model folder) is not read as its folder's model.
    throw new SwitchyardError({
      code: 'NO_SUCH_MODEL',
      message: `'${model}' is a file, not a model (expected a model id, a model folder, a model_metadata.json or a .xyb bundle)`,
      details: { modelId: model },
    });
  }
  const metadataFile = join(model, 'model_metadata.json');
  if (!existsSync(metadataFile)) {
    throw new SwitchyardError({ code: 'NO_SUCH_MODEL', message: `'${model}' is not a model folder: ${metadataFile} does not exist`, details: { modelId: model } });
  }
  return model;
}

/**
 * A model given by path (folder, model_metadata.json or .xyb): its model_id and the models.dirs entry holding just it.
 * Read and validated first, so unknown fields are reported (or refused with --strict) by file and pointer.
 */
async function modelByPath(model: string, config: SwitchyardConfig, baseDir: string, check: Pick<RunModelOptions, 'strict'>): Promise<{ entry: string; id: string } | undefined> {
  if (looksLikePath(model) && !existsSync(model)) {
    const kind = isXybPath(model) || basename(model) === 'model_metadata.json' ? 'file' : 'folder';
    throw new SwitchyardError({
      code: 'NO_SUCH_MODEL',
      message: `${kind} '${model}' does not exist (a model given by path is a model folder, its model_metadata.json or a .xyb bundle; a model id has no '/')`,
      details: { modelId: model, found: 'no such file or folder' },
    });
  }
  const bundle = isXybPath(model);
  const folder = bundle ? undefined : modelFolderOf(model);
  if (!bundle && !folder) return undefined;
  const cacheDir = modelBundleCacheDir(baseDir, config.models?.cacheDir);
  // Warnings come from the app's interpreter (one path for a model given by id or by path); here --strict refuses.
  const read = await readModelMetadataFile(folder ?? model, { bundles: { cacheDir }, strict: check.strict ?? false });
  return { entry: resolve(folder ?? model), id: read.metadata.model_id };
}

const realPath = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/**
 * The model the app already lists under the id of a model given by path (`models.dirs`, `models.packages`,
 * `--models-dir`), if any. A catalog problem of its own (a pack not installed, an id found twice) is left to the run,
 * which reports it where it is written.
 */
async function listedModel(id: string, dirs: readonly string[], config: SwitchyardConfig, baseDir: string): Promise<FoundModel | undefined> {
  try {
    const catalog = await openConfiguredModelCatalog({ ...config.models, dirs }, baseDir);
    return catalog.get(id) as FoundModel | undefined;
  } catch {
    return undefined;
  }
}

/**
 * A model given by path whose id the app already lists: the same folder (or the same .xyb) is run as listed; another
 * one is METADATA_INVALID naming both places and how to run each (it was "model_id repeats the id of ...").
 */
function checkAgainstListed(model: string, byPath: { entry: string; id: string }, listed: FoundModel, file: string | undefined): 'same' {
  const given = realPath(byPath.entry);
  if (realPath(listed.dir) === given || (listed.origin.kind === 'bundle' && realPath(listed.origin.entry) === given)) return 'same';
  const place = listed.package ? `model pack ${listed.package}` : relative(process.cwd(), listed.origin.kind === 'bundle' ? listed.origin.entry : listed.dir) || '.';
  const lists = file ? `${file} already lists` : '--models-dir already holds';
  throw new SwitchyardError({
    code: 'METADATA_INVALID',
    message:
      `'${model}' holds model '${byPath.id}', but ${lists} another model '${byPath.id}' (${place}): ` +
      `run that one by id (\`switchyard run ${byPath.id} <input>\`), or this one with a config that does not list '${byPath.id}' ` +
      `(\`--config <another config>\`, or from a folder without a switchyard.config.*)`,
    details: { modelId: byPath.id, file: model, found: place },
  });
}

const silentLogger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

function configuresOnnx(config: SwitchyardConfig): boolean {
  return (config.plugins ?? []).some((entry) => (typeof entry === 'string' ? entry : (entry as { package?: string }).package) === '@switchyard/plugin-onnx');
}

/**
 * `switchyard run <model> <input>`: one model, one input, through the app's one model path (generated pipeline when
 * the config names a registry, the interpreter otherwise) via the orchestrator, like the server.
 */
export async function runModel(options: RunModelOptions): Promise<RunModelResult> {
  const { config, baseDir, file, locate } = await appConfig(options.config);
  // A model folder or .xyb is a models.dirs entry of its own, holding one model found by its model_id.
  const byPath = await modelByPath(options.model, config, baseDir, options);
  // The config's own entries are checked first (listed ones must exist), so a missing one is named where it is written.
  let configDirs: string[];
  try {
    configDirs = configuredModelsDirs(config.models?.dirs, baseDir);
  } catch (error) {
    throw locate(error);
  }
  // Named by the flag that gave them (relative to the current folder), not by a models.dirs pointer.
  if (options.modelsDirs) configuredModelsDirs(options.modelsDirs, process.cwd(), { flag: '--models-dir' });
  const modelId = byPath ? byPath.id : options.model;
  options.onModelId?.(modelId);
  const listedDirs = [...(options.modelsDirs ?? []).map((d) => resolve(d)), ...configDirs];
  const listed = byPath ? await listedModel(byPath.id, listedDirs, config, baseDir) : undefined;
  // The folder the app already lists under that id is run as listed, not added a second time.
  const pathEntries = byPath && !(listed && checkAgainstListed(options.model, byPath, listed, file) === 'same') ? [byPath.entry] : [];
  const dirs = [...pathEntries, ...listedDirs];
  const app = await createSwitchyardApp({
    config: { ...config, models: { ...config.models, dirs } },
    baseDir,
    // Its warnings and errors are located in the file the user wrote, not in `<config object>`.
    ...(file ? { configFile: file } : {}),
    ...(configuresOnnx(config) ? {} : { plugins: [createOnnxPlugin()] }),
    // stdout holds the output only: the app's warnings go to the logger (stderr in the command).
    logger: options.logger ?? silentLogger,
  }).catch((error: unknown) => Promise.reject(locate(error)));
  const unsubscribe = options.onProgress ? app.tryResolve<EventBus>(TOKENS.EventBus)?.on('ModelLoadProgress', options.onProgress) : undefined;
  try {
    const metadata = (app.executor as Executor).registry?.get(modelId)?.metadata;
    const input: EngineInput =
      options.text !== undefined ? modelInputFromText(options.text, { metadata, modelId }) : await readModelInputFile(options.inputFile!, metadata, modelId);
    const result = await app.orchestrator.run({ model: modelId, workload: 'inference', input }, options.signal ? { signal: options.signal } : {});
    const output = result.output.kind === 'json' ? result.output.value : result.output;
    return { modelId, output, result };
  } finally {
    unsubscribe?.();
    await app.shutdown();
  }
}

/** `model 'x': CODE: message (step ...)`: what failed, in which model and step. */
export function describeRunError(model: string, error: SwitchyardError): string {
  const step = typeof error.details['step'] === 'string' ? (error.details['step'] as string) : undefined;
  // A config or flag error is located in the file or flag it names, not in the model.
  const where = error.message.includes(model) || error.code.startsWith('CONFIG_') ? '' : `model '${model}': `;
  const inStep = step && !error.message.includes(step) ? ` (step ${step})` : '';
  return `${error.code}: ${where}${error.message}${inStep}`;
}

const RUN_USAGE = 'usage: switchyard run <model> <input file>  |  switchyard run <model> --text "..."  |  switchyard run --pipeline <file> [input]';

/** Flags of a model run that a --pipeline run does not use, and the other way round. */
const MODEL_RUN_FLAGS = [
  ['text', '--text'],
  ['metadata', '--metadata'],
  ['modelsDir', '--models-dir'],
  ['strict', '--strict'],
] as const;
const PIPELINE_RUN_FLAGS = [
  ['input', '--input'],
  ['tasksDir', '--tasks-dir'],
] as const;

interface RunFlags extends Partial<RunPipelineFlags> {
  readonly json?: boolean;
  readonly modelsDir?: string[];
  readonly metadata?: string;
  readonly text?: string;
  readonly config?: string;
  readonly strict?: boolean;
}

export function register(program: Command): void {
  const run = program
    .command('run')
    .description('run any model on one input: `run <model id | model folder | model_metadata.json> <input file>` (or --text)')
    .argument('[model]', 'model id (registry model or folder under a models dir), a model folder, a path to its model_metadata.json, or a .xyb bundle')
    .argument('[input]', 'input file: .png/.jpg/.webp (image), .wav (audio), .txt (text), .json (tensor {"dims":[...],"data":[...]} or nested numeric array)')
    .option('--json', "print the model's output as JSON")
    .option('--text <text>', 'text input instead of a file')
    .option('--metadata <file>', 'the model as a model_metadata.json file (same as giving its path as <model>)', nonEmpty)
    .option('--models-dir <dir>', 'an extra folder of model folders, searched before the config\'s models.dirs (repeatable)', repeatable)
    .option('--strict', 'unknown model_metadata.json fields of a model given by path are errors, not warnings')
    .action(async (first: string | undefined, second: string | undefined, flags: RunFlags, command: Command) => {
      if (flags.pipeline) {
        // A model-run flag or a second input would be accepted and ignored by a pipeline run: refused, by name.
        const modelOnly = MODEL_RUN_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
        if (modelOnly.length > 0) {
          fail(command, `${modelOnly.join(', ')}: only for a model run (\`run <model> <input file>\`), not with --pipeline ${flags.pipeline}; a pipeline's inputs are given with --input <name=value>`);
        }
        if (first !== undefined && second !== undefined) {
          fail(command, `run --pipeline takes at most one positional input, found 2 ('${first}', '${second}'); name the others with --input <name=value>`);
        }
        try {
          return await runPipelineCommand(command, { ...flags, pipeline: flags.pipeline }, first ?? second);
        } catch (error) {
          if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
          throw error;
        }
      }
      const model = flags.metadata ?? first;
      const inputFile = flags.metadata ? first : second;
      // --input and --tasks-dir belong to --pipeline: a model run would accept and ignore them.
      const pipelineOnly = PIPELINE_RUN_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
      if (pipelineOnly.length > 0) {
        fail(command, `${pipelineOnly.join(', ')}: only with --pipeline <file>; a model run takes one <input file> or --text "..."\n${RUN_USAGE}`);
      }
      if (flags.metadata !== undefined && second !== undefined) {
        fail(command, `--metadata ${flags.metadata} names the model, so run takes one positional <input file>, found 2 ('${first}', '${second}')\n${RUN_USAGE}`);
      }
      // --metadata is a file whatever it looks like: a missing one is not looked up as a model id.
      if (flags.metadata !== undefined && !existsSync(flags.metadata)) fail(command, `NO_SUCH_MODEL: --metadata: file '${flags.metadata}' does not exist`);
      if (model === undefined) fail(command, `run: missing <model> (a model id, a model folder, its model_metadata.json or a .xyb bundle)\n${RUN_USAGE}`);
      if (inputFile === undefined && flags.text === undefined) fail(command, `run: missing the input for '${model}': give an <input file> or --text "..."\n${RUN_USAGE}`);
      if (inputFile !== undefined && flags.text !== undefined) fail(command, `run: give an <input file> or --text, not both (found '${inputFile}' and --text)\n${RUN_USAGE}`);
      // Load stages and elapsed time on one stderr line, only when stderr is a TTY (never on stdout or in a pipe).
      const progress = RunProgressLine.create(progressStream(command), model);
      progress?.start();
      let modelId = model;
      try {
        const { output } = await runModel({
          model,
          ...(inputFile !== undefined ? { inputFile } : {}),
          ...(flags.text !== undefined ? { text: flags.text } : {}),
          ...(flags.config ? { config: flags.config } : {}),
          ...(flags.modelsDir ? { modelsDirs: flags.modelsDir } : {}),
          ...(progress ? { onProgress: (p: LoadProgress) => progress.update(p) } : {}),
          strict: flags.strict === true,
          onModelId: (id) => {
            modelId = id;
            progress?.rename(id);
          },
          logger: cliLogger(command),
        });
        progress?.stop();
        print(command, flags.json ? JSON.stringify(toJsonValue(output), null, 2) : formatModelOutput(output));
      } catch (error) {
        progress?.stop();
        if (SwitchyardError.isInstance(error)) fail(command, describeRunError(modelId, error));
        throw error;
      }
    });
  addPipelineOptions(run);
}
