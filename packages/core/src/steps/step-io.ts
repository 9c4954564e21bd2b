import type { Tensor, TensorMap } from '@switchyard/spec';
import type { OcrImage, OcrLineImage, OcrQuad, OcrRecognizedText, OcrResult, OcrTextBox } from './ocr-types.js';
import type { AudioSamples, DecodedLine, ImageValue, PhonemizedText, ScoredIndex, TokenizedText } from './step-values.js';
import type { VadResult } from './vad-types.js';

/**
 * The kinds of value that flow between steps, and the TypeScript type of each. Codegen checks a chain with
 * STEP_IO (each step's output kind against the next step's input kinds); tsc checks the same chain with the
 * factories' own signatures. step-io.test-d.ts proves the two agree.
 */
export interface StepValueTypes {
  /** Encoded file bytes (image, WAV...). */
  bytes: Uint8Array;
  'array-buffer': ArrayBuffer;
  /** Bytes in an envelope, e.g. the Executor's `{ kind: 'image', data }` input. */
  'bytes-envelope': { readonly data: Uint8Array };
  text: string;
  texts: readonly string[];
  /** Token ids as plain numbers: one row or several. */
  ids: readonly number[] | readonly (readonly number[])[];
  /** Plain numbers (a flat vector). */
  numbers: readonly number[];
  /** Mono float samples (or per-window scores of a stream stage). */
  samples: Float32Array;
  /** A flat typed array other than Float32Array. */
  'typed-array': Uint8Array | Float64Array | Int32Array | BigInt64Array;
  audio: AudioSamples;
  image: ImageValue;
  tensor: Tensor;
  tensors: TensorMap;
  /** Tokenize's output: a TensorMap of input_ids / attention_mask / token_type_ids. */
  tokens: TokenizedText;
  phonemes: PhonemizedText;
  'scored-indices': ScoredIndex[][];
  'decoded-lines': DecodedLine[];
  'decoded-text': string | string[];
  'ocr-image': OcrImage;
  'ocr-boxes': OcrTextBox[];
  'ocr-line-images': readonly OcrLineImage[];
  'ocr-texts': readonly (OcrRecognizedText & { readonly box?: OcrQuad })[];
  'ocr-lines': OcrResult;
  'vad-segments': VadResult;
}

export type StepValueKind = keyof StepValueTypes;

/** What a step takes (any of `input`) and what it returns (one kind, or any of several). */
export interface StepIo {
  readonly input: readonly StepValueKind[];
  readonly output: StepValueKind | readonly StepValueKind[];
}

/** A step's output kinds as a list. */
export function outputKinds(io: StepIo): readonly StepValueKind[] {
  return typeof io.output === 'string' ? [io.output] : io.output;
}

/** Kinds that are also another kind (a TokenizedText is a TensorMap). */
const ALSO: Partial<Record<StepValueKind, readonly StepValueKind[]>> = { tokens: ['tensors'] };

/** True when a value of kind `from` can be passed where one of `accepted` is taken. */
export function kindAccepted(from: StepValueKind, accepted: readonly StepValueKind[]): boolean {
  return accepted.includes(from) || (ALSO[from] ?? []).some((k) => accepted.includes(k));
}

const TENSORS = ['tensor', 'tensors'] as const satisfies readonly StepValueKind[];

/** Every step tag -> its value kinds. Keep keys sorted and in step with STEP_FACTORIES. */
export const STEP_IO = {
  Argmax: { input: TENSORS, output: 'tensor' },
  AudioDecode: { input: ['bytes', 'array-buffer', 'audio'], output: 'audio' },
  AudioResample: { input: ['audio'], output: 'audio' },
  BPEDecode: { input: [...TENSORS, 'ids'], output: 'decoded-text' },
  CTCDecode: { input: TENSORS, output: 'decoded-lines' },
  CenterCrop: { input: ['image', 'tensor'], output: ['image', 'tensor'] },
  Denormalize: { input: TENSORS, output: 'tensor' },
  ImageDecode: { input: ['bytes', 'array-buffer', 'image'], output: 'image' },
  ImageToTensor: { input: ['image'], output: 'tensor' },
  MeanPool: { input: TENSORS, output: 'tensor' },
  MelSpectrogram: { input: ['audio', 'samples', 'tensor'], output: 'tensor' },
  Normalize: { input: ['tensor', 'image'], output: 'tensor' },
  OcrAssembleLines: { input: ['ocr-texts'], output: 'ocr-lines' },
  OcrCropRotate: { input: ['ocr-boxes'], output: 'ocr-line-images' },
  OcrCtcDecode: { input: TENSORS, output: 'ocr-texts' },
  OcrDetResize: { input: ['ocr-image'], output: 'tensor' },
  OcrDirectionFix: { input: TENSORS, output: 'ocr-line-images' },
  OcrImageDecode: { input: ['bytes', 'bytes-envelope'], output: 'ocr-image' },
  OcrRecBatch: { input: ['ocr-line-images'], output: 'tensor' },
  OcrTextBoxes: { input: TENSORS, output: 'ocr-boxes' },
  Phonemize: { input: ['text'], output: 'phonemes' },
  Reshape: { input: [...TENSORS, 'numbers', 'samples', 'typed-array', 'image'], output: 'tensor' },
  Resize: { input: ['image', 'tensor'], output: ['image', 'tensor'] },
  Softmax: { input: TENSORS, output: 'tensor' },
  TTSAudioEncode: { input: ['samples', 'audio', ...TENSORS], output: 'bytes' },
  TemperatureSample: { input: TENSORS, output: 'tensor' },
  Threshold: { input: TENSORS, output: 'tensor' },
  Tokenize: { input: ['text', 'texts'], output: 'tokens' },
  TopK: { input: TENSORS, output: 'scored-indices' },
  VadSegmenter: { input: ['samples'], output: 'vad-segments' },
  VadWavDecode: { input: ['bytes', 'audio'], output: 'samples' },
  WhisperDecode: { input: [...TENSORS, 'ids'], output: 'decoded-text' },
} as const satisfies Readonly<Record<string, StepIo>>;

/** What a graph takes (after preprocessing) and what its outputs become (before postprocessing). */
export const GRAPH_IO = {
  input: TENSORS,
  /** One output name (or one output): a Tensor; several: a TensorMap; unknown: either. */
  output: (outputNames: readonly string[]): readonly StepValueKind[] =>
    outputNames.length === 1 ? ['tensor'] : outputNames.length > 1 ? ['tensors'] : TENSORS,
  /** A StatefulStream stage: samples in, one score per window out. */
  stream: { input: ['samples'] as readonly StepValueKind[], output: 'samples' as StepValueKind },
} as const;
