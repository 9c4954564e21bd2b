import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { SwitchyardError, type EngineInput } from '@switchyard/spec';
import { readWav } from '../steps/wav-reader.js';
import { createImageDecodeStep } from '../steps/image-decode-step.js';
import { loadSharp } from '../steps/native-modules.js';
import { createPipelineFrame } from '../steps/step-kernel.js';
import { kindAccepted, outputKinds, STEP_IO, type StepIo } from '../steps/step-io.js';
import { jsonTensor, nestedArrayProblem } from './json-tensor.js';

/** What an input file is, by its extension. */
export type ModelInputFileKind = 'image' | 'audio' | 'text' | 'tensor';

const KINDS: Readonly<Record<string, ModelInputFileKind>> = {
  '.png': 'image',
  '.jpg': 'image',
  '.jpeg': 'image',
  '.webp': 'image',
  '.wav': 'audio',
  '.txt': 'text',
  '.json': 'tensor',
};

/** How messages name each kind, and the inputs that give one. */
const KIND_WORDS: Readonly<Record<ModelInputFileKind, { readonly noun: string; readonly give: string }>> = {
  image: { noun: 'an image', give: 'a .png, .jpg, .jpeg or .webp file' },
  audio: { noun: 'audio', give: 'a .wav file' },
  text: { noun: 'text', give: 'a .txt file or --text "..."' },
  tensor: { noun: 'a tensor', give: 'a .json file ({"dims":[...],"data":[...]} or a nested array of numbers)' },
};

/** The file the bytes a step takes are (ImageDecode's: an image; VadWavDecode's: audio), read off what it returns. */
function bytesOf(io: StepIo): ModelInputFileKind | undefined {
  const out = outputKinds(io);
  if (out.includes('image') || out.includes('ocr-image')) return 'image';
  if (out.includes('audio') || out.includes('samples')) return 'audio';
  return undefined;
}

const takesBytes = (io: StepIo): boolean => io.input.includes('bytes') || io.input.includes('bytes-envelope');

/**
 * Whether a first step takes a file of this kind, as readModelInputFile hands it over: an image as its bytes (to a
 * step decoding image bytes) or decoded (to a step taking an image), audio as AudioSamples, text as a string, JSON as a
 * Tensor.
 */
function stepTakes(io: StepIo, kind: ModelInputFileKind): boolean {
  if (kind === 'image') return io.input.includes('image') || (takesBytes(io) && bytesOf(io) === 'image');
  return kindAccepted(kind, io.input);
}

const orList = (items: readonly string[]): string => (items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? ''));

const ARTICLE: Readonly<Partial<Record<ModelInputFileKind, string>>> = { image: 'an image', audio: 'an audio' };

/** `bytes of an image file or image`: what a step takes, in words. */
function describeTakes(io: StepIo): string {
  const bytes = `bytes of ${ARTICLE[bytesOf(io) ?? 'tensor'] ?? 'a'} file`;
  return orList([...new Set(io.input.map((k) => (k === 'bytes' || k === 'bytes-envelope' ? bytes : k)))]);
}

/**
 * An input the model's first step does not take: INVALID_INPUT naming it (`input file x.wav`, `--text`), the model, the
 * step and what would work. `file` is set for an input file.
 */
function checkFirstStep(what: string, kind: ModelInputFileKind, step: string | undefined, modelId: string, file?: string, advice = true): void {
  // A step STEP_IO does not know (a plugin's) is not second-guessed here.
  if (step === undefined || !Object.hasOwn(STEP_IO, step)) return;
  const io: StepIo = STEP_IO[step as keyof typeof STEP_IO];
  if (stepTakes(io, kind)) return;
  const kinds = (Object.keys(KIND_WORDS) as ModelInputFileKind[]).filter((k) => stepTakes(io, k));
  const takes = kinds.length > 0 ? orList(kinds.map((k) => KIND_WORDS[k].noun)) : 'no input file';
  const give = advice && kinds.length > 0 ? `: give ${orList(kinds.map((k) => KIND_WORDS[k].give))}` : '';
  throw new SwitchyardError({
    code: 'INVALID_INPUT',
    message: `${what}: is ${KIND_WORDS[kind].noun}, but model '${modelId}' takes ${takes} (its first step ${step} takes ${describeTakes(io)})${give}`,
    details: { ...(file !== undefined ? { file } : { field: what }), modelId, expected: takes, found: kind },
  });
}

type StepEntry = { readonly type?: string; readonly [param: string]: unknown };

function firstStepParams(metadata: unknown): StepEntry | undefined {
  const m = metadata as { preprocessing?: StepEntry[]; execution_template?: { stages?: { preprocessing?: StepEntry[] }[] } } | undefined;
  return m?.preprocessing?.[0] ?? m?.execution_template?.stages?.[0]?.preprocessing?.[0];
}

function firstStep(metadata: unknown): string | undefined {
  return firstStepParams(metadata)?.type;
}

/** The element count of a `shape` parameter (its positive dims; -1 and 0 are left out), undefined if there is none. */
function shapeSize(shape: unknown): number | undefined {
  if (!Array.isArray(shape) || shape.length === 0) return undefined;
  let size = 1;
  for (const dim of shape) if (typeof dim === 'number' && dim > 0) size *= dim;
  return size;
}

/**
 * How image bytes (`{kind: 'image'}` input) reach a model's pipeline, decided once from its metadata and the same on
 * every path (CLI, server, app, workflows): as bytes to a first step that decodes them (ImageDecode, OcrImageDecode),
 * decoded to RGB for one that takes an image (Resize, Normalize, Reshape...), or to greyscale when that step's
 * `shape` holds one value per pixel (a 28x28 PNG to Reshape [1, 1, 28, 28]). A first step that takes no image in any
 * form is INVALID_INPUT naming the model, the step and what it takes, before anything runs. A step STEP_IO does not
 * know (a plugin's) gets the bytes.
 */
export function imageInputFor(metadata: unknown, modelId: string): (bytes: Uint8Array, signal: AbortSignal) => Promise<unknown> {
  const step = firstStep(metadata);
  const io: StepIo | undefined = step !== undefined && Object.hasOwn(STEP_IO, step) ? STEP_IO[step as keyof typeof STEP_IO] : undefined;
  if (!io || !stepTakes(io, 'image') || takesBytes(io)) {
    return async (bytes) => {
      checkFirstStep('input', 'image', step, modelId, undefined, false);
      return bytes;
    };
  }
  const values = shapeSize(firstStepParams(metadata)?.shape);
  const decoders = { 1: createImageDecodeStep({ channels: 1 }, { modelId, step: 'input', files: {} }), 3: createImageDecodeStep({ channels: 3 }, { modelId, step: 'input', files: {} }) };
  if (values === undefined) return (bytes, signal) => decoders[3](bytes, createPipelineFrame(signal));
  // A first step with a `shape` of one value per pixel (Reshape [1, 1, 28, 28]) takes the image in greyscale: the
  // header's size decides, so each image is decoded once.
  return async (bytes, signal) => decoders[(await pixelCount(bytes)) === values ? 1 : 3](bytes, createPipelineFrame(signal));
}

/** width x height from the image header (no decode); undefined when sharp cannot read it (the decode then says why). */
async function pixelCount(bytes: Uint8Array): Promise<number | undefined> {
  try {
    const { width, height } = await (await loadSharp())(bytes).metadata();
    return width !== undefined && height !== undefined ? width * height : undefined;
  } catch {
    return undefined;
  }
}

function invalid(file: string, message: string, cause?: unknown): SwitchyardError {
  return new SwitchyardError({ code: 'INVALID_INPUT', message: `input file ${file}: ${message}`, details: { file }, ...(cause ? { cause } : {}) });
}

/**
 * `--text "..."`: a prompt (what Tokenize-style first steps take). Given the model's metadata, a model whose first step
 * takes no text is INVALID_INPUT naming `--text`, the model and what would work.
 */
export function modelInputFromText(text: string, model?: { readonly metadata: unknown; readonly modelId: string }): EngineInput {
  if (model) checkFirstStep('--text', 'text', firstStep(model.metadata), model.modelId);
  return { kind: 'text', prompt: text };
}

/** `{"dims":[...],"data":[...]}` or a nested numeric array -> a tensor input (core's jsonTensor reads it). */
export function tensorFromJson(value: unknown, file: string): EngineInput {
  const tensor = jsonTensor(value, `input file ${file}`);
  if (!tensor) throw invalid(file, nestedArrayProblem(value) ?? 'expected a tensor {"dims":[...],"data":[...]} or a nested array of numbers');
  return { kind: 'json', value: tensor };
}

/** Input file extensions readModelInputFile reads, and what each is. */
export const MODEL_INPUT_FILE_TYPES = KINDS;

/**
 * An input file (`switchyard run`, runModelFromMetadataFile) -> the engine input every path (CLI, server, app) hands
 * the orchestrator: images as bytes, WAV decoded
 * to mono samples, text as a prompt, JSON as a float32 tensor. Models whose first step takes an image but not bytes get
 * it decoded. A file the first step does not take is INVALID_INPUT naming the file, the model and what would work.
 */
export async function readModelInputFile(file: string, metadata: unknown, modelId: string): Promise<EngineInput> {
  const kind = KINDS[extname(file).toLowerCase()];
  if (!kind) {
    throw invalid(file, `unknown input type '${extname(file) || '(no extension)'}' (supported: ${Object.keys(KINDS).join(', ')}; or --text "...")`);
  }
  const step = firstStep(metadata);
  checkFirstStep(`input file ${file}`, kind, step, modelId, file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    throw invalid(file, `cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, error);
  }
  switch (kind) {
    case 'image':
      // As bytes: the pipeline decodes them as its first step takes an image (imageInputFor), on every path.
      return { kind: 'image', data: bytes };
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
