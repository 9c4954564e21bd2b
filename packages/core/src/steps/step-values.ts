import type { Tensor, TensorMap } from '@switchyard/spec';

/**
 * The values that flow between steps. A step takes one value and returns one; anything a later step needs from an
 * earlier one travels in `frame.slots` under the keys below.
 */

/** Mono PCM audio, samples in [-1, 1]. Produced by AudioDecode / AudioResample, consumed by MelSpectrogram. */
export interface AudioSamples {
  readonly samples: Float32Array;
  readonly sampleRate: number;
}

/** A decoded image: interleaved 8-bit pixels, row-major, HWC (RGB when channels = 3). */
export interface ImageValue {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * Output of Tokenize: a TensorMap named like Hugging Face ONNX exports, so it feeds a graph as is.
 * All three are int64 `[batch, sequence]`.
 */
export interface TokenizedText extends TensorMap {
  readonly input_ids: Tensor;
  readonly attention_mask: Tensor;
  readonly token_type_ids: Tensor;
}

/** One ranked class from TopK. */
export interface ScoredIndex {
  readonly index: number;
  readonly score: number;
  /** Present when the step was given labels. */
  readonly label?: string;
}

/** One decoded line from CTCDecode: the text and the mean max-probability of its emitted tokens. */
export interface DecodedLine {
  readonly text: string;
  readonly confidence: number;
}

/** Phonemize output: the phoneme string and its token ids (int64 `[1, n]`, padded with 0 when add_padding). */
export interface PhonemizedText {
  readonly phonemes: string;
  readonly inputIds: Tensor;
}

/** What a tensor step takes: a Tensor, or a TensorMap (its named or first tensor: what a graph run returns). */
export type TensorInput = Tensor | TensorMap;

/** Token ids: a tensor, one row of numbers, or several rows. */
export type TokenIdsInput = TensorInput | readonly number[] | readonly (readonly number[])[];

/** Slot keys steps use to hand values to later steps. */
export const STEP_SLOTS = {
  /** Tensor int64 `[batch, seq]` written by Tokenize, read by MeanPool. */
  attentionMask: 'attention_mask',
  /** `{width, height}` of the image as decoded, written by ImageDecode. */
  originalImageSize: 'original_image_size',
  /** Resize's letterbox transform `{scale, padLeft, padTop}` (for mapping boxes back). */
  letterbox: 'letterbox',
} as const;

export type { Tensor, TensorMap };
