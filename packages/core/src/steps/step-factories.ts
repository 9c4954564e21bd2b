import { createArgmaxStep } from './argmax-step.js';
import { createAudioDecodeStep } from './audio-decode-step.js';
import { createAudioResampleStep } from './audio-resample-step.js';
import { createBPEDecodeStep } from './bpe-decode-step.js';
import { createCenterCropStep } from './center-crop-step.js';
import { createCTCDecodeStep } from './ctc-decode-step.js';
import { createDenormalizeStep } from './denormalize-step.js';
import { createImageDecodeStep } from './image-decode-step.js';
import { createImageToTensorStep } from './image-to-tensor-step.js';
import { createMeanPoolStep } from './mean-pool-step.js';
import { createMelSpectrogramStep } from './mel-spectrogram-step.js';
import { createNormalizeStep } from './normalize-step.js';
import { createOcrAssembleLinesStep } from './ocr-assemble-lines.js';
import { createOcrCropRotateStep } from './ocr-crop-rotate.js';
import { createOcrCtcDecodeStep } from './ocr-ctc-decode.js';
import { createOcrDetResizeStep } from './ocr-det-resize.js';
import { createOcrDirectionFixStep } from './ocr-direction-fix.js';
import { createOcrImageDecodeStep } from './ocr-image-decode.js';
import { createOcrRecBatchStep } from './ocr-rec-batch.js';
import { createOcrTextBoxesStep } from './ocr-text-boxes.js';
import { createVadSegmenterStep } from './vad-segmenter.js';
import { createVadWavDecodeStep } from './vad-wav-decode.js';
import { createPhonemizeStep } from './phonemize-step.js';
import { createReshapeStep } from './reshape-step.js';
import { createResizeStep } from './resize-step.js';
import { createSoftmaxStep } from './softmax-step.js';
import type { StepFactory } from './step-kernel.js';
import { createTTSAudioEncodeStep } from './tts-audio-encode-step.js';
import { createTemperatureSampleStep } from './temperature-sample-step.js';
import { createThresholdStep } from './threshold-step.js';
import { createTokenizeStep } from './tokenize-step.js';
import { createTopKStep } from './top-k-step.js';
import { createWhisperDecodeStep } from './whisper-decode-step.js';

/**
 * Every step tag -> its factory. The TemplateExecutor dispatches through this table; generated pipelines import
 * `create${Tag}Step` directly. Keep keys sorted.
 */
const FACTORIES = {
  Argmax: createArgmaxStep,
  AudioDecode: createAudioDecodeStep,
  AudioResample: createAudioResampleStep,
  BPEDecode: createBPEDecodeStep,
  CTCDecode: createCTCDecodeStep,
  CenterCrop: createCenterCropStep,
  Denormalize: createDenormalizeStep,
  ImageDecode: createImageDecodeStep,
  ImageToTensor: createImageToTensorStep,
  MeanPool: createMeanPoolStep,
  MelSpectrogram: createMelSpectrogramStep,
  Normalize: createNormalizeStep,
  OcrAssembleLines: createOcrAssembleLinesStep,
  OcrCropRotate: createOcrCropRotateStep,
  OcrCtcDecode: createOcrCtcDecodeStep,
  OcrDetResize: createOcrDetResizeStep,
  OcrDirectionFix: createOcrDirectionFixStep,
  OcrImageDecode: createOcrImageDecodeStep,
  OcrRecBatch: createOcrRecBatchStep,
  OcrTextBoxes: createOcrTextBoxesStep,
  Phonemize: createPhonemizeStep,
  Reshape: createReshapeStep,
  Resize: createResizeStep,
  Softmax: createSoftmaxStep,
  TTSAudioEncode: createTTSAudioEncodeStep,
  TemperatureSample: createTemperatureSampleStep,
  Threshold: createThresholdStep,
  Tokenize: createTokenizeStep,
  TopK: createTopKStep,
  VadSegmenter: createVadSegmenterStep,
  VadWavDecode: createVadWavDecodeStep,
  WhisperDecode: createWhisperDecodeStep,
} as const satisfies Readonly<Record<string, StepFactory>>;

/** The factories with their own parameter, input and output types (what step-io.test-d.ts checks STEP_IO against). */
export type StepFactories = typeof FACTORIES;
export type StepTag = keyof StepFactories;

export const STEP_FACTORIES: Readonly<Record<string, StepFactory>> = FACTORIES;
