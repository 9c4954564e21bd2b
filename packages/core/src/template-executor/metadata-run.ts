import { readFile } from 'node:fs/promises';
import type { EngineV1, TensorRunner } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import type { ModelProvisionerOptions } from '../provisioning/model-provisioner.js';
import type { OpenXybOptions } from '../bundles/xyb-bundle.js';
import { loadModelMetadataFile } from './metadata-file.js';
import type { ModelMetadata } from './model-metadata.generated.js';
import { createInterpretedPipeline } from './template-executor.js';
import { createImageDecodeStep } from '../steps/image-decode-step.js';
import { createPipelineFrame } from '../steps/step-kernel.js';

/** First steps that take encoded bytes (a file path on the command line). */
const BYTE_STEPS = new Set(['AudioDecode', 'ImageDecode', 'OcrImageDecode', 'VadWavDecode']);
/** First steps that take text. */
const TEXT_STEPS = new Set(['Phonemize', 'Tokenize']);
/** First steps that take a decoded image (or a tensor): an image file (PNG, JPEG, WebP) is decoded to RGB for them. */
const IMAGE_STEPS = new Set(['CenterCrop', 'ImageToTensor', 'Normalize', 'Resize']);

function isImageFile(bytes: Uint8Array): boolean {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const webp = bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50;
  return png || jpeg || webp;
}

function firstStep(metadata: ModelMetadata): string | undefined {
  const t = metadata.execution_template;
  return metadata.preprocessing?.[0]?.type ?? (t.type === 'ModelGraph' ? t.stages[0]?.preprocessing?.[0]?.type : undefined);
}

/**
 * A command-line argument -> the pipeline input the model's first step takes: file bytes for decode steps, text (or
 * `@file`) for Tokenize/Phonemize, a JSON array (inline or `@file`) as a float32 tensor otherwise.
 */
export async function readMetadataInput(metadata: ModelMetadata, argument: string): Promise<unknown> {
  const step = firstStep(metadata);
  const readText = async (): Promise<string> => (argument.startsWith('@') ? readFile(argument.slice(1), 'utf8') : argument);
  try {
    if (step && BYTE_STEPS.has(step)) return new Uint8Array(await readFile(argument));
    if (step && TEXT_STEPS.has(step)) return await readText();
    if (step && IMAGE_STEPS.has(step) && !argument.startsWith('@') && !argument.trimStart().startsWith('[')) {
      const bytes = new Uint8Array(await readFile(argument));
      if (isImageFile(bytes)) {
        const decode = createImageDecodeStep({ channels: 3 }, { modelId: metadata.model_id, step: 'input (image file)', files: {} });
        return await decode(bytes, createPipelineFrame(new AbortController().signal));
      }
      return parseJsonTensor(new TextDecoder().decode(bytes));
    }
    return parseJsonTensor(await readText());
  } catch (cause) {
    throw new SwitchyardError({
      code: 'INVALID_INPUT',
      message: `Model '${metadata.model_id}' (first step ${step ?? 'none'}): cannot read input '${argument}': ${(cause as Error).message}`,
      details: { modelId: metadata.model_id, step, found: argument },
      cause,
    });
  }
}

/** A JSON array of numbers (nested arrays are flattened) -> a flat float32 tensor. */
function parseJsonTensor(text: string): unknown {
  const values = JSON.parse(text) as unknown;
  const flat = Array.isArray(values) ? (values.flat(Infinity) as unknown[]) : [];
  if (!flat.length || flat.some((v) => typeof v !== 'number')) throw new Error('expected a JSON array of numbers');
  return { type: 'float32', dims: [flat.length], data: Float32Array.from(flat as number[]) };
}

/**
 * `switchyard run --metadata <file> <input>`: loads and validates the metadata, resolves its files relative to it,
 * loads the model on `engine`, runs the interpreted pipeline (TemplateExecutor) and unloads.
 */
export async function runModelFromMetadataFile(options: {
  readonly path: string;
  /** A CLI argument (see readMetadataInput) or an already-built input. */
  readonly input: string | { readonly value: unknown };
  readonly engine: EngineV1;
  readonly signal?: AbortSignal;
  readonly provisioner?: ModelProvisionerOptions;
  /** Where `.xyb` bundles are extracted (default: the user's cache). */
  readonly bundles?: OpenXybOptions;
}): Promise<{ modelId: string; output: unknown }> {
  const signal = options.signal ?? new AbortController().signal;
  const loaded = await loadModelMetadataFile(options.path, { signal, ...(options.provisioner ? { provisioner: options.provisioner } : {}), ...(options.bundles ? { bundles: options.bundles } : {}) });
  const pipeline = createInterpretedPipeline(loaded.json, { file: options.path });
  const modelId = loaded.metadata.model_id;
  const input = typeof options.input === 'string' ? await readMetadataInput(loaded.metadata, options.input) : options.input.value;
  const engine = options.engine;
  await engine.doLoad({ id: modelId, files: loaded.files, metadata: loaded.json }, signal);
  const runner: TensorRunner = {
    async run(stage, tensors, runSignal) {
      const result = await engine.doRun({ modelId, workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } }, runSignal);
      if (result.output.kind !== 'tensors') {
        throw new SwitchyardError({ code: 'UNSUPPORTED', message: `Engine '${engine.id}' returned ${result.output.kind} for a tensor run of '${modelId}'`, details: { engine: engine.id, modelId } });
      }
      return result.output.tensors;
    },
  };
  try {
    return { modelId, output: await pipeline.run(input, { runner, signal, files: loaded.files }) };
  } finally {
    await engine.doUnload(modelId, signal);
  }
}
