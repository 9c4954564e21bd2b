import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CONFIG_FILE_NAMES,
  SwitchyardError,
  createSwitchyardApp,
  isXybPath,
  loadModelMetadataFile,
  formatMetadataIssue,
  type MetadataIssue,
  loadConfig,
  type EngineInput,
  type Executor,
  type InferenceResult,
  type SwitchyardConfig,
} from '@switchyard/core';
import { createOnnxPlugin } from '@switchyard/plugin-onnx';
import { fail, print, printError } from '../output.js';
import { addPipelineOptions, runPipelineCommand, type RunPipelineFlags } from './run-pipeline.js';
import { modelInputFromFile, modelInputFromText } from './run-input.js';
import { formatModelOutput, toJsonValue } from './run-output.js';

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
  /** Called while the model loads and runs (the CLI draws progress on a TTY). */
  readonly onProgress?: (elapsedMs: number) => void;
  /** Unknown model_metadata.json fields of a model given as a folder, file or bundle are errors, not warnings. */
  readonly strict?: boolean;
  /** Called with each unknown-field warning of such a model (file, pointer). */
  readonly onWarning?: (issue: MetadataIssue) => void;
}

export interface RunModelResult {
  readonly modelId: string;
  readonly output: unknown;
  readonly result: InferenceResult;
}

/** The app config `switchyard run` uses: the explicit one, else one in the current directory, else none. */
async function appConfig(explicit: string | undefined): Promise<{ config: SwitchyardConfig; baseDir: string }> {
  const path = explicit ?? (CONFIG_FILE_NAMES.some((name) => existsSync(name)) ? process.cwd() : undefined);
  if (!path) return { config: {}, baseDir: process.cwd() };
  const loaded = await loadConfig(path);
  return { config: loaded.config, baseDir: loaded.baseDir };
}

/** A model folder (or its model_metadata.json) given as a path: the folder. */
function modelFolderOf(model: string): string | undefined {
  if (!existsSync(model)) return undefined;
  const folder = statSync(model).isDirectory() ? resolve(model) : dirname(resolve(model));
  if (!existsSync(join(folder, 'model_metadata.json'))) {
    throw new SwitchyardError({
      code: 'NO_SUCH_MODEL',
      message: `'${model}' is not a model folder: ${join(folder, 'model_metadata.json')} does not exist`,
      details: { modelId: model },
    });
  }
  return folder;
}

/** Opens a .xyb (verified, extracted once into the app's bundle cache) and reads its model_id. */
async function bundleModelId(path: string, config: SwitchyardConfig, baseDir: string, check: Pick<RunModelOptions, 'strict' | 'onWarning'>): Promise<{ path: string; id: string }> {
  const cacheDir = join(resolve(baseDir, config.models?.cacheDir ?? join('.switchyard', 'cache')), 'bundles');
  const loaded = await loadModelMetadataFile(path, { bundles: { cacheDir }, strict: check.strict ?? false, ...(check.onWarning ? { onWarning: check.onWarning } : {}) });
  return { path: resolve(path), id: loaded.metadata.model_id };
}

function configuresOnnx(config: SwitchyardConfig): boolean {
  return (config.plugins ?? []).some((entry) => (typeof entry === 'string' ? entry : (entry as { package?: string }).package) === '@switchyard/plugin-onnx');
}

/**
 * `switchyard run <model> <input>`: one model, one input, through the app's one model path (generated pipeline when
 * the config names a registry, the interpreter otherwise) via the orchestrator, like the server.
 */
export async function runModel(options: RunModelOptions): Promise<RunModelResult> {
  const { config, baseDir } = await appConfig(options.config);
  // A .xyb bundle (xybrid's format) is a models.dirs entry of its own; its model is found by its model_id.
  const bundle = isXybPath(options.model) ? await bundleModelId(options.model, config, baseDir, options) : undefined;
  const folder = bundle ? undefined : modelFolderOf(options.model);
  // A model given by path is checked first, so unknown fields are reported (or refused with --strict) by file and pointer.
  if (folder) await loadModelMetadataFile(folder, { strict: options.strict ?? false, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  const modelId = bundle ? bundle.id : folder ? basename(folder) : options.model;
  const dirs = [...(bundle ? [bundle.path] : []), ...(folder ? [dirname(folder)] : []), ...(options.modelsDirs ?? []).map((d) => resolve(d)), ...(config.models?.dirs ?? ['models'])];
  const app = await createSwitchyardApp({
    config: { ...config, models: { ...config.models, dirs } },
    baseDir,
    ...(configuresOnnx(config) ? {} : { plugins: [createOnnxPlugin()] }),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const started = performance.now();
  const ticker = options.onProgress ? setInterval(() => options.onProgress!(performance.now() - started), 250) : undefined;
  try {
    const metadata = (app.executor as Executor).registry?.get(modelId)?.metadata;
    const input: EngineInput =
      options.text !== undefined ? modelInputFromText(options.text) : await modelInputFromFile(options.inputFile!, metadata, modelId);
    const result = await app.orchestrator.run({ model: modelId, workload: 'inference', input }, options.signal ? { signal: options.signal } : {});
    const output = result.output.kind === 'json' ? result.output.value : result.output;
    return { modelId, output, result };
  } finally {
    if (ticker) clearInterval(ticker);
    await app.shutdown();
  }
}

/** `model 'x': CODE: message (step ...)`: what failed, in which model and step. */
export function describeRunError(model: string, error: SwitchyardError): string {
  const step = typeof error.details['step'] === 'string' ? (error.details['step'] as string) : undefined;
  const where = error.message.includes(model) ? '' : `model '${model}': `;
  const inStep = step && !error.message.includes(step) ? ` (step ${step})` : '';
  return `${error.code}: ${where}${error.message}${inStep}`;
}

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
    .option('--metadata <file>', 'the model as a model_metadata.json file (same as giving its path as <model>)')
    .option('--models-dir <dir...>', 'extra folder(s) of model folders, searched before the config\'s models.dirs')
    .option('--strict', 'unknown model_metadata.json fields of a model given by path are errors, not warnings')
    .action(async (first: string | undefined, second: string | undefined, flags: RunFlags, command: Command) => {
      if (flags.pipeline) {
        try {
          return await runPipelineCommand(command, { ...flags, pipeline: flags.pipeline }, first ?? second);
        } catch (error) {
          if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
          throw error;
        }
      }
      const model = flags.metadata ?? first;
      const inputFile = flags.metadata ? first : second;
      if (model === undefined || (inputFile === undefined && flags.text === undefined) || (inputFile !== undefined && flags.text !== undefined)) {
        fail(command, 'usage: switchyard run <model> <input file>  |  switchyard run <model> --text "..."  |  switchyard run --pipeline <file> [input]');
      }
      const tty = process.stderr.isTTY === true;
      const onProgress = tty ? (ms: number) => process.stderr.write(`\r${model}: loading and running… ${(ms / 1000).toFixed(1)} s`) : undefined;
      try {
        const { output } = await runModel({
          model,
          ...(inputFile !== undefined ? { inputFile } : {}),
          ...(flags.text !== undefined ? { text: flags.text } : {}),
          ...(flags.config ? { config: flags.config } : {}),
          ...(flags.modelsDir ? { modelsDirs: flags.modelsDir } : {}),
          ...(onProgress ? { onProgress } : {}),
          strict: flags.strict === true,
          onWarning: (issue) => printError(command, `warning: ${formatMetadataIssue(issue)}`),
        });
        if (tty) process.stderr.write('\r\u001b[2K');
        print(command, flags.json ? JSON.stringify(toJsonValue(output), null, 2) : formatModelOutput(output));
      } catch (error) {
        if (tty) process.stderr.write('\r\u001b[2K');
        if (SwitchyardError.isInstance(error)) fail(command, describeRunError(model, error));
        throw error;
      }
    });
  addPipelineOptions(run);
}
