import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { SwitchyardError, type EngineInput } from '@switchyard/spec';
import { readWav } from '../steps/wav-reader.js';
import { createImageDecodeStep } from '../steps/image-decode-step.js';
import { createPipelineFrame } from '../steps/step-kernel.js';
import { jsonTensor } from './json-tensor.js';

/** First steps that take a decoded image rather than encoded bytes: an image file is decoded to RGB for them. */
const DECODED_IMAGE_STEPS = new Set(['CenterCrop', 'ImageToTensor', 'Normalize', 'Resize']);

const KINDS: Readonly<Record<string, 'image' | 'audio' | 'text' | 'tensor'>> = {
  '.png': 'image',
  '.jpg': 'image',
  '.jpeg': 'image',
  '.webp': 'image',
  '.wav': 'audio',
  '.txt': 'text',
  '.json': 'tensor',
};

function firstStep(metadata: unknown): string | undefined {
  const m = metadata as { preprocessing?: { type?: string }[]; execution_template?: { type?: string; stages?: { preprocessing?: { type?: string }[] }[] } } | undefined;
  return m?.preprocessing?.[0]?.type ?? m?.execution_template?.stages?.[0]?.preprocessing?.[0]?.type;
}

function invalid(file: string, message: string, cause?: unknown): SwitchyardError {
  return new SwitchyardError({ code: 'INVALID_INPUT', message: `input file ${file}: ${message}`, details: { file }, ...(cause ? { cause } : {}) });
}

/** `--text "..."`: a prompt (what Tokenize-style first steps take). */
export function modelInputFromText(text: string): EngineInput {
  return { kind: 'text', prompt: text };
}

/** `{"dims":[...],"data":[...]}` or a nested numeric array -> a tensor input (core's jsonTensor reads it). */
export function tensorFromJson(value: unknown, file: string): EngineInput {
  const tensor = jsonTensor(value, `input file ${file}`);
  if (!tensor) throw invalid(file, 'expected a tensor {"dims":[...],"data":[...]} or a nested array of numbers');
  return { kind: 'json', value: tensor };
}

/** Input file extensions readModelInputFile reads, and what each is. */
export const MODEL_INPUT_FILE_TYPES = KINDS;

/**
 * An input file (`switchyard run`, runModelFromMetadataFile) -> the engine input every path (CLI, server, app) hands
 * the orchestrator: images as bytes, WAV decoded
 * to mono samples, text as a prompt, JSON as a float32 tensor. Models whose first step takes a decoded image get one.
 */
export async function readModelInputFile(file: string, metadata: unknown, modelId: string): Promise<EngineInput> {
  const kind = KINDS[extname(file).toLowerCase()];
  if (!kind) {
    throw invalid(file, `unknown input type '${extname(file) || '(no extension)'}' (supported: ${Object.keys(KINDS).join(', ')}; or --text "...")`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    throw invalid(file, `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
  switch (kind) {
    case 'image': {
      const step = firstStep(metadata);
      if (!step || !DECODED_IMAGE_STEPS.has(step)) return { kind: 'image', data: bytes };
      const decode = createImageDecodeStep({ channels: 3 }, { modelId, step: `input (${file})`, files: {} });
      return { kind: 'json', value: await decode(bytes, createPipelineFrame(new AbortController().signal)) };
    }
    case 'audio': {
      let wav: ReturnType<typeof readWav>;
      try {
        wav = readWav(bytes);
      } catch (error) {
        throw invalid(file, `not a readable WAV file: ${(error as Error).message}`, error);
      }
      const frames = Math.floor(wav.samples.length / Math.max(1, wav.channels));
      const samples = new Float32Array(frames);
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < wav.channels; c++) sum += wav.samples[f * wav.channels + c]!;
        samples[f] = sum / wav.channels;
      }
      return { kind: 'audio', samples, sampleRate: wav.sampleRate };
    }
    case 'text':
      return modelInputFromText(new TextDecoder().decode(bytes));
    default: {
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(bytes));
      } catch (error) {
        throw invalid(file, `not valid JSON: ${(error as Error).message}`, error);
      }
      return tensorFromJson(value, file);
    }
  }
}
