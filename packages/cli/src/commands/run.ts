import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import {
  ModelProvisioner,
  SwitchyardError,
  createPaddleOcrPipeline,
  createSileroVadPipeline,
} from '@switchyard/core';
import type { ModelPipeline, OcrResult, TensorMap, TensorRunner, VadResult } from '@switchyard/core';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { fail, print } from '../output.js';
import { addPipelineOptions, runPipelineCommand, type RunPipelineFlags } from './run-pipeline.js';

/** How `switchyard run` builds a model's pipeline and prints its result as text. */
export interface RunnableModel {
  readonly createPipeline: () => ModelPipeline<Uint8Array, unknown>;
  readonly formatText: (result: unknown) => string;
}

/** Models with a built-in pipeline. Others arrive through generated pipelines (`--metadata`, codegen). */
export const RUNNABLE_MODELS: Readonly<Record<string, RunnableModel>> = {
  'paddleocr-v4': {
    createPipeline: () => createPaddleOcrPipeline() as ModelPipeline<Uint8Array, unknown>,
    formatText: (result) => (result as OcrResult).lines.map((l) => l.text).join('\n') || '(no text found)',
  },
  'silero-vad': {
    createPipeline: () => createSileroVadPipeline() as ModelPipeline<Uint8Array, unknown>,
    formatText: (result) => {
      const { segments, duration_ms } = result as VadResult;
      if (segments.length === 0) return `no speech in ${(duration_ms / 1000).toFixed(2)} s of audio`;
      return segments.map((s) => `${seconds(s.start_ms)} - ${seconds(s.end_ms)}  speech`).join('\n');
    },
  },
};

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

export interface RunLocalModelOptions {
  /** Model id (a folder under a models directory) or a path to a model folder. */
  readonly model: string;
  readonly input: Uint8Array;
  /** Directories searched for `<id>/model_metadata.json`; default ./models then the repository's models/. */
  readonly modelsDirs?: readonly string[];
  readonly signal?: AbortSignal;
}

export interface RunLocalModelResult {
  readonly modelId: string;
  readonly result: unknown;
  readonly text: string;
}

/** Default model folders: ./models (cwd) and the models/ folder of the Switchyard checkout this CLI lives in. */
export function defaultModelsDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return [resolve('models'), resolve(here, '../../../../models')];
}

/** Resolves, verifies and loads a local model on the ONNX engine, runs its pipeline on one input, unloads. */
export async function runLocalModel(options: RunLocalModelOptions): Promise<RunLocalModelResult> {
  const signal = options.signal ?? new AbortController().signal;
  const { dir, metadata } = await findModel(options.model, options.modelsDirs ?? defaultModelsDirs());
  const modelId = typeof metadata['model_id'] === 'string' ? metadata['model_id'] : options.model;
  const runnable = RUNNABLE_MODELS[modelId];
  if (!runnable) {
    throw new SwitchyardError({
      code: 'UNSUPPORTED',
      message: `switchyard run has no pipeline for model '${modelId}' (built in: ${Object.keys(RUNNABLE_MODELS).join(', ')})`,
      details: { model: modelId },
    });
  }
  const { files } = await new ModelProvisioner({ appDir: process.cwd() }).resolve(dir, metadata, signal);
  const engine = createOnnxEngine();
  try {
    await engine.doLoad({ id: modelId, files, metadata }, signal);
    const runner: TensorRunner = {
      async run(stage: string | undefined, tensors: TensorMap, runSignal: AbortSignal): Promise<TensorMap> {
        const { output } = await engine.doRun(
          { modelId, workload: 'inference', input: stage === undefined ? { kind: 'tensors', tensors } : { kind: 'tensors', tensors, stage } },
          runSignal,
        );
        if (output.kind !== 'tensors') {
          throw new SwitchyardError({ code: 'INTERNAL', message: `the ONNX engine returned '${output.kind}' for a tensor run` });
        }
        return output.tensors;
      },
    };
    const result = await runnable.createPipeline().run(options.input, { runner, signal, files });
    return { modelId, result, text: runnable.formatText(result) };
  } finally {
    await engine.close();
  }
}

async function findModel(model: string, modelsDirs: readonly string[]): Promise<{ dir: string; metadata: Record<string, unknown> }> {
  const candidates = [resolve(model), ...modelsDirs.map((d) => join(d, model))];
  const dir = candidates.find((c) => existsSync(join(c, 'model_metadata.json')));
  if (!dir) {
    throw new SwitchyardError({
      code: 'NO_SUCH_MODEL',
      message: `no model '${model}': looked for model_metadata.json in ${candidates.join(', ')}`,
      details: { model, searched: candidates },
    });
  }
  const file = join(dir, 'model_metadata.json');
  try {
    return { dir, metadata: JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> };
  } catch (error) {
    throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${file}: not valid JSON (${(error as Error).message})`, details: { file }, cause: error });
  }
}

interface RunFlags extends Partial<RunPipelineFlags> {
  readonly json?: boolean;
  readonly modelsDir?: string;
}

export function register(program: Command): void {
  const run = program
    .command('run')
    .description('run a local model on one input file: `run paddleocr-v4 <image>` prints text lines, `run silero-vad <wav>` speech segments')
    .argument('[model]', 'model id (folder under models/) or path to a model folder')
    .argument('[input]', 'input file: an image for OCR, a 16 kHz mono WAV for VAD')
    .option('--json', 'print the result as JSON')
    .option('--models-dir <dir>', 'directory of model folders (default: ./models, then the bundled models/)')
    .action(async (model: string | undefined, inputPath: string | undefined, flags: RunFlags, command: Command) => {
      try {
        if (flags.pipeline) return await runPipelineCommand(command, { ...flags, pipeline: flags.pipeline }, model ?? inputPath);
        if (model === undefined || inputPath === undefined) fail(command, 'usage: switchyard run <model> <input>  |  switchyard run --pipeline <file> [input]');
        let input: Uint8Array;
        try {
          input = new Uint8Array(await readFile(inputPath));
        } catch (error) {
          throw new SwitchyardError({ code: 'INVALID_INPUT', message: `cannot read input file ${inputPath}: ${(error as Error).message}`, details: { file: inputPath }, cause: error });
        }
        const modelsDirs = flags.modelsDir ? [resolve(flags.modelsDir)] : defaultModelsDirs();
        const { modelId, result, text } = await runLocalModel({ model, input, modelsDirs });
        print(command, flags.json ? JSON.stringify({ model: modelId, ...(result as object) }, null, 2) : text);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
  addPipelineOptions(run);
}
