// Generated from schemas/model-metadata.schema.json by packages/core/scripts/generate-metadata-types.mjs. Do not edit.
/* eslint-disable */

/**
 * How the model executes, tagged by `type`.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ExecutionTemplate".
 */
export type ExecutionTemplate =
  | CandleModelTemplate
  | CoreMlTemplate
  | GgufTemplate
  | ModelGraphTemplate
  | OnnxTemplate
  | SafeTensorsTemplate
  | TfLiteTemplate;
/**
 * How a stage runs, tagged by `type` (default SingleShot).
 */
export type ExecutionMode =
  AutoregressiveMode | IterativeRefinementMode | SingleShotMode | StatefulStreamMode | WhisperDecoderMode;
/**
 * Timesteps of an IterativeRefinement loop, tagged by `type`.
 */
export type RefinementSchedule = LinearSchedule | CosineSchedule | CustomSchedule;
/**
 * One preprocessing step, tagged by `type`.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "PreprocessingStep".
 */
export type PreprocessingStep =
  | AudioDecodeStep
  | AudioResampleStep
  | CenterCropStep
  | ImageDecodeStep
  | ImageToTensorStep
  | MelSpectrogramStep
  | NormalizeStep
  | OcrDetResizeStep
  | OcrImageDecodeStep
  | OcrRecBatchStep
  | PhonemizeStep
  | ReshapeStep
  | ResizeStep
  | TokenizeStep
  | VadWavDecodeStep;
/**
 * One postprocessing step, tagged by `type`.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "PostprocessingStep".
 */
export type PostprocessingStep =
  | ArgmaxStep
  | BPEDecodeStep
  | CTCDecodeStep
  | DenormalizeStep
  | MeanPoolStep
  | OcrAssembleLinesStep
  | OcrCropRotateStep
  | OcrCtcDecodeStep
  | OcrDirectionFixStep
  | OcrTextBoxesStep
  | SoftmaxStep
  | TTSAudioEncodeStep
  | TemperatureSampleStep
  | ThresholdStep
  | TopKStep
  | VadSegmenterStep
  | WhisperDecodeStep;
/**
 * Switchyard extension: how the graph runs (default SingleShot).
 */
export type ExecutionMode1 =
  AutoregressiveMode | IterativeRefinementMode | SingleShotMode | StatefulStreamMode | WhisperDecoderMode;
/**
 * Where a file comes from (Switchyard extension).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "FileSource".
 */
export type FileSource = NpmFileSource | UrlFileSource | PathFileSource;
/**
 * How a stage runs, tagged by `type` (default SingleShot).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ExecutionMode".
 */
export type ExecutionMode2 =
  AutoregressiveMode | IterativeRefinementMode | SingleShotMode | StatefulStreamMode | WhisperDecoderMode;
/**
 * Voices of a TTS model, tagged by `format`.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "VoiceConfig".
 */
export type VoiceConfig = CloningVoiceConfig | EmbeddedVoiceConfig | PerModelVoiceConfig;
/**
 * Timesteps of an IterativeRefinement loop, tagged by `type`.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "RefinementSchedule".
 */
export type RefinementSchedule1 = LinearSchedule | CosineSchedule | CustomSchedule;

/**
 * model_metadata.json: one model's execution template, pre/post-processing steps and files (xybrid-compatible).
 */
export interface ModelMetadata {
  /**
   * Schema reference for editors.
   */
  $schema?: string;
  /**
   * Model id, unique in models/ (letters, digits, . _ -; xybrid also allows mixed case).
   */
  model_id: string;
  /**
   * Model version (free-form, may be empty).
   */
  version: string;
  /**
   * What the model does.
   */
  description?: string;
  execution_template: ExecutionTemplate;
  /**
   * Steps run before inference, in order.
   */
  preprocessing?: PreprocessingStep[];
  /**
   * Steps run after inference, in order.
   */
  postprocessing?: PostprocessingStep[];
  /**
   * Relative paths of the files the model needs.
   */
  files?: string[];
  /**
   * Free-form: task, input_shape, labels, input_names, output_names, ...
   */
  metadata?: {
    /**
     * Task name.
     */
    task?: string;
    /**
     * Class labels (index -> name).
     */
    labels?: string[];
    /**
     * Graph input names; a single preprocessed tensor feeds the first.
     */
    input_names?: string[];
    /**
     * Graph output names; postprocessing starts from the first.
     */
    output_names?: string[];
    [k: string]: unknown;
  };
  /**
   * Switchyard extension: file -> where to get it.
   */
  sources?: {
    [k: string]: FileSource;
  };
  /**
   * TTS voice catalog (xybrid); null = none. Validated; running a model that has voices is UNSUPPORTED here.
   */
  voices?: VoiceConfig;
}
/**
 * A Candle checkpoint (older name of SafeTensors); parsed, UNSUPPORTED at run time.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CandleModelTemplate".
 */
export interface CandleModelTemplate {
  type: 'CandleModel';
  /**
   * The checkpoint (December 2025 format; now SafeTensors).
   */
  model_file: string;
  config_file?: string;
  tokenizer_file?: string;
  model_type?: string;
}
/**
 * A Core ML model (Apple).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CoreMlTemplate".
 */
export interface CoreMlTemplate {
  type: 'CoreMl';
  /**
   * .mlmodel / .mlpackage.
   */
  model_file: string;
}
/**
 * A GGUF model (llama.cpp).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "GgufTemplate".
 */
export interface GgufTemplate {
  type: 'Gguf';
  /**
   * The .gguf file.
   */
  model_file: string;
  /**
   * Chat template override.
   */
  chat_template?: string;
  /**
   * Context window in tokens.
   */
  context_length?: number;
}
/**
 * Several ONNX graphs run as one model, in stage order (`Pipeline` is the December 2025 name).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ModelGraphTemplate".
 */
export interface ModelGraphTemplate {
  /**
   * `Pipeline` (December 2025 name) is read as ModelGraph.
   */
  type: 'ModelGraph';
  /**
   * @minItems 1
   */
  stages: [ModelGraphStage, ...ModelGraphStage[]];
  /**
   * Graph-wide configuration (xybrid: kv_cache_shape). Keys are reported as unused (a warning; an error with --strict).
   */
  config?: {
    [k: string]: unknown;
  };
}
/**
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ModelGraphStage".
 */
export interface ModelGraphStage {
  /**
   * Stage name, unique within the graph.
   */
  name: string;
  /**
   * ONNX graph of this stage.
   */
  model_file: string;
  execution_mode?: ExecutionMode;
  /**
   * Graph input names of this stage.
   */
  inputs?: string[];
  /**
   * Graph output names of this stage.
   */
  outputs?: string[];
  /**
   * Stage settings. Unknown keys are warnings (errors with --strict).
   */
  config?: {
    /**
     * false skips the stage (not run, not emitted by codegen).
     */
    enabled?: boolean;
    /**
     * Runs the stage once per this many items of an array input and concatenates the results.
     */
    batch_size?: number;
    /**
     * ONNX session settings of this stage: {intraOpNumThreads?, interOpNumThreads?, graphOptimizationLevel?}. Checked by core's stageOnnxSessionIssues (the ONNX engine runs the same check): any other key or a bad value is an error.
     */
    onnx?: unknown;
  };
  /**
   * Switchyard extension: steps run before this stage.
   */
  preprocessing?: PreprocessingStep[];
  /**
   * Switchyard extension: steps run after this stage.
   */
  postprocessing?: PostprocessingStep[];
}
/**
 * Decode loop with KV cache (past_key_values.N.* / present.N.*).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "AutoregressiveMode".
 */
export interface AutoregressiveMode {
  type: 'Autoregressive';
  /**
   * Most tokens generated.
   */
  max_tokens: number;
  /**
   * First decoder token.
   */
  start_token_id: number;
  /**
   * Stops the loop.
   */
  end_token_id: number;
  /**
   * 0 = off.
   */
  repetition_penalty?: number;
}
/**
 * Runs the graph num_steps times, feeding each output back as the next sample with the schedule's timestep (diffusion-style refinement).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "IterativeRefinementMode".
 */
export interface IterativeRefinementMode {
  type: 'IterativeRefinement';
  /**
   * Number of graph runs.
   */
  num_steps: number;
  schedule?: RefinementSchedule;
  /**
   * Switchyard extension: graph input that takes the current sample (default: the input that is not timestep_input).
   */
  sample_input?: string;
  /**
   * Switchyard extension: graph input that takes the timestep, float32 [1].
   */
  timestep_input?: string;
  /**
   * Switchyard extension: graph output that becomes the next sample (default: the first output).
   */
  sample_output?: string;
}
/**
 * t_i = 1 - i / num_steps.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "LinearSchedule".
 */
export interface LinearSchedule {
  type: 'Linear';
}
/**
 * t_i = cos(pi/2 * i / num_steps).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CosineSchedule".
 */
export interface CosineSchedule {
  type: 'Cosine';
}
/**
 * The timesteps as given.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CustomSchedule".
 */
export interface CustomSchedule {
  type: 'Custom';
  /**
   * One timestep per iteration (length must equal num_steps).
   */
  timesteps: number[];
}
/**
 * Run the graph once.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "SingleShotMode".
 */
export interface SingleShotMode {
  type: 'SingleShot';
}
/**
 * Switchyard extension. Push-chunk streaming with a state tensor carried from window to window (Silero VAD).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "StatefulStreamMode".
 */
export interface StatefulStreamMode {
  type: 'StatefulStream';
  /**
   * Sample rate of the stream in Hz.
   */
  sample_rate?: number;
  /**
   * Samples per graph run.
   */
  window_size: number;
  /**
   * Trailing samples of the previous window prepended to each window.
   */
  context_size?: number;
  /**
   * Graph input receiving the window.
   */
  audio_input?: string;
  /**
   * Graph input receiving the sample rate (int64 scalar).
   */
  sample_rate_input?: string;
  /**
   * Graph input receiving the state.
   */
  state_input?: string;
  /**
   * Graph output carrying the next state.
   */
  state_output?: string;
  /**
   * Shape of the (zero) initial state.
   *
   * @minItems 1
   */
  state_shape: [number, ...number[]];
  /**
   * Graph output with the per-window result.
   */
  output?: string;
  /**
   * Refuse pushes that would buffer more (STREAM_OVERFLOW).
   */
  max_buffered_samples?: number;
}
/**
 * Encoder once, decoder loop with forced prefix tokens.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "WhisperDecoderMode".
 */
export interface WhisperDecoderMode {
  type: 'WhisperDecoder';
  /**
   * Most tokens generated.
   */
  max_tokens: number;
  /**
   * <|startoftranscript|>.
   */
  start_token_id: number;
  /**
   * <|endoftext|>.
   */
  end_token_id: number;
  /**
   * Language token.
   */
  language_token_id: number;
  /**
   * Task token.
   */
  task_token_id: number;
  /**
   * <|notimestamps|>.
   */
  no_timestamps_token_id: number;
  /**
   * Token ids never emitted.
   */
  suppress_tokens?: number[];
  /**
   * 1 = off.
   */
  repetition_penalty?: number;
}
/**
 * Decode WAV bytes (PCM16/float32) to mono float samples at sample_rate.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "AudioDecodeStep".
 */
export interface AudioDecodeStep {
  type: 'AudioDecode';
  /**
   * Output sample rate in Hz.
   */
  sample_rate?: number;
  /**
   * Output channels (1 = mono mixdown).
   */
  channels?: number;
}
/**
 * Switchyard extension. Resample mono float samples to sample_rate.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "AudioResampleStep".
 */
export interface AudioResampleStep {
  type: 'AudioResample';
  /**
   * Target sample rate in Hz.
   */
  sample_rate: number;
  /**
   * Switchyard extension: sinc lobes each side (quality/speed).
   */
  zero_crossings?: number;
}
/**
 * Crop the centre width x height of an image.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CenterCropStep".
 */
export interface CenterCropStep {
  type: 'CenterCrop';
  /**
   * Crop width.
   */
  width: number;
  /**
   * Crop height.
   */
  height: number;
  /**
   * Switchyard extension, for tensor input: the channel axis (default: from the shape; channel-first when ambiguous). Images need no layout.
   */
  layout?: 'NCHW' | 'NHWC';
}
/**
 * Switchyard extension. Encoded image bytes (PNG, JPEG, WebP...) -> HWC uint8 pixels, EXIF-rotated; records the original size in frame.slots.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ImageDecodeStep".
 */
export interface ImageDecodeStep {
  type: 'ImageDecode';
  /**
   * 3 = RGB, 1 = greyscale.
   */
  channels?: 1 | 3;
}
/**
 * Switchyard extension. HWC uint8 pixels -> float32 [1, C, H, W] (or [1, H, W, C]).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ImageToTensorStep".
 */
export interface ImageToTensorStep {
  type: 'ImageToTensor';
  /**
   * Multiplier for each 0..255 value (e.g. 1/255).
   */
  scale?: number;
  /**
   * Output layout.
   */
  layout?: 'NCHW' | 'NHWC';
}
/**
 * Log-mel spectrogram of mono PCM samples (Whisper-style when preset is set).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "MelSpectrogramStep".
 */
export interface MelSpectrogramStep {
  type: 'MelSpectrogram';
  /**
   * Whisper presets (xybrid names): 80 mels, or 128 for whisper-large*; fields given explicitly win.
   */
  preset?:
    | 'whisper'
    | 'whisper-tiny'
    | 'whisper-base'
    | 'whisper-small'
    | 'whisper-medium'
    | 'whisper-large'
    | 'whisper-large-v2'
    | 'whisper-large-v3';
  /**
   * Number of mel bands.
   */
  n_mels?: number;
  /**
   * Input sample rate in Hz.
   */
  sample_rate?: number;
  /**
   * FFT size in samples (any size; Whisper uses 400).
   */
  fft_size?: number;
  /**
   * Hop between frames in samples.
   */
  hop_length?: number;
  /**
   * Mel scale formula.
   */
  mel_scale?: 'slaney' | 'htk';
  /**
   * Frames after padding/truncation (0 or null = none).
   */
  max_frames?: number | null;
  /**
   * Switchyard extension: mel filter normalisation (Whisper: slaney).
   */
  norm?: 'slaney' | null;
}
/**
 * (x - mean) / std per channel.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "NormalizeStep".
 */
export interface NormalizeStep {
  type: 'Normalize';
  /**
   * Per-channel mean (one value = all channels).
   *
   * @minItems 1
   */
  mean: [number, ...number[]];
  /**
   * Per-channel std, > 0.
   *
   * @minItems 1
   */
  std: [number, ...number[]];
  /**
   * Switchyard extension: the channel axis (default: NCHW/CHW when the shape allows it, else NHWC/HWC; flat or rank-2 tensors are interleaved). `interleaved` applies channel i % C to element i, as xybrid does for every shape.
   */
  layout?: 'NCHW' | 'NHWC' | 'CHW' | 'HWC' | 'interleaved';
}
/**
 * Switchyard extension. Resize for the DB text detector (side limit, multiple of 32) and normalise to [1,3,H,W].
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrDetResizeStep".
 */
export interface OcrDetResizeStep {
  type: 'OcrDetResize';
  /**
   * Side limit in pixels.
   */
  limit_side_len?: number;
  /**
   * max: shrink the longer side; min: grow the shorter.
   */
  limit_type?: 'max' | 'min';
  /**
   * Round both sides to a multiple of this.
   */
  multiple_of?: number;
  /**
   * @minItems 1
   */
  mean?: [number, ...number[]];
  /**
   * @minItems 1
   */
  std?: [number, ...number[]];
  /**
   * Channel order of the tensor (PaddleOCR: BGR).
   */
  channel_order?: 'RGB' | 'BGR';
}
/**
 * Switchyard extension. Image bytes (PNG/JPEG/WebP/...) -> 8-bit RGB image, EXIF-oriented; kept in frame.slots for cropping.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrImageDecodeStep".
 */
export interface OcrImageDecodeStep {
  type: 'OcrImageDecode';
  /**
   * Refuse larger images (decompression bombs).
   */
  max_pixels?: number;
}
/**
 * Switchyard extension. Text-line crops -> recogniser batch [n,3,height,W].
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrRecBatchStep".
 */
export interface OcrRecBatchStep {
  type: 'OcrRecBatch';
  /**
   * Crop height.
   */
  height?: number;
  /**
   * Widest crop.
   */
  max_width?: number;
  /**
   * Pad every crop to max_width.
   */
  fixed_width?: boolean;
  /**
   * Channel order of the tensor (PaddleOCR: BGR).
   */
  channel_order?: 'RGB' | 'BGR';
}
/**
 * Text -> phoneme token ids.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "PhonemizeStep".
 */
export interface PhonemizeStep {
  type: 'Phonemize';
  /**
   * Phoneme -> id table.
   */
  tokens_file: string;
  backend?: 'MisakiDictionary' | 'CmuDictionary' | 'EspeakNG';
  /**
   * Pronunciation dictionary.
   */
  dict_file?: string;
  /**
   * Language code, e.g. en-us.
   */
  language?: string;
  /**
   * Wrap ids in the pad token.
   */
  add_padding?: boolean;
  /**
   * xybrid text normalisation before phonemizing; true is UNSUPPORTED here.
   */
  normalize_text?: boolean;
  /**
   * xybrid: prepend N Kokoro silence tokens; a value > 0 is UNSUPPORTED here.
   */
  silence_tokens?: number;
}
/**
 * Reshape the tensor (-1 infers one dimension).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ReshapeStep".
 */
export interface ReshapeStep {
  type: 'Reshape';
  /**
   * Target dims; -1 once at most.
   *
   * @minItems 1
   */
  shape: [number, ...number[]];
}
/**
 * Resize an image to width x height.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ResizeStep".
 */
export interface ResizeStep {
  type: 'Resize';
  /**
   * Target width in pixels.
   */
  width: number;
  /**
   * Target height in pixels.
   */
  height: number;
  interpolation?: 'Bilinear' | 'Nearest' | 'Bicubic';
  /**
   * Switchyard extension: keep aspect ratio and pad (letterbox).
   */
  keep_aspect?: boolean;
  /**
   * Switchyard extension: padding value when keep_aspect is true.
   */
  pad_value?: number;
  /**
   * Switchyard extension: round the output size to a multiple of this (OCR detectors).
   */
  multiple_of?: number;
  /**
   * Switchyard extension: where the image sits in the letterbox.
   */
  pad_position?: 'center' | 'top-left';
  /**
   * Switchyard extension, for tensor input: the channel axis (default: from the shape; channel-first when ambiguous). Images need no layout.
   */
  layout?: 'NCHW' | 'NHWC';
}
/**
 * Text -> input_ids / attention_mask / token_type_ids with a tokenizer.json.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "TokenizeStep".
 */
export interface TokenizeStep {
  type: 'Tokenize';
  /**
   * tokenizer.json (or vocab) file, one of `files`.
   */
  vocab_file: string;
  /**
   * Tokenizer family.
   */
  tokenizer_type: 'BPE' | 'WordPiece' | 'SentencePiece';
  /**
   * Truncate to this many tokens, special tokens included (default: the tokenizer.json truncation.max_length).
   */
  max_length?: number;
  /**
   * Switchyard extension: add the tokenizer's special tokens ([CLS]/[SEP]...), as Hugging Face does. xybrid encodes without them: false.
   */
  add_special_tokens?: boolean;
}
/**
 * Switchyard extension. WAV bytes -> mono float samples at sample_rate (for VAD).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "VadWavDecodeStep".
 */
export interface VadWavDecodeStep {
  type: 'VadWavDecode';
  /**
   * Output sample rate in Hz.
   */
  sample_rate?: number;
  /**
   * Output channels.
   */
  channels?: number;
}
/**
 * Index of the maximum along dim.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ArgmaxStep".
 */
export interface ArgmaxStep {
  type: 'Argmax';
  /**
   * Axis (negative counts from the end).
   */
  dim?: number;
}
/**
 * Token ids -> text with a BPE vocab.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "BPEDecodeStep".
 */
export interface BPEDecodeStep {
  type: 'BPEDecode';
  /**
   * tokenizer.json or vocab.
   */
  vocab_file: string;
}
/**
 * Greedy CTC decode: argmax, collapse repeats, drop blanks, map through vocab.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CTCDecodeStep".
 */
export interface CTCDecodeStep {
  type: 'CTCDecode';
  /**
   * One token per line.
   */
  vocab_file: string;
  /**
   * Blank token index.
   */
  blank_index?: number;
}
/**
 * x * std + mean per channel.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "DenormalizeStep".
 */
export interface DenormalizeStep {
  type: 'Denormalize';
  /**
   * @minItems 1
   */
  mean: [number, ...number[]];
  /**
   * @minItems 1
   */
  std: [number, ...number[]];
  /**
   * Switchyard extension: the channel axis (default: NCHW/CHW when the shape allows it, else NHWC/HWC; flat or rank-2 tensors are interleaved). `interleaved` applies channel i % C to element i, as xybrid does for every shape.
   */
  layout?: 'NCHW' | 'NHWC' | 'CHW' | 'HWC' | 'interleaved';
}
/**
 * Attention-mask-aware mean over dim (sentence embeddings).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "MeanPoolStep".
 */
export interface MeanPoolStep {
  type: 'MeanPool';
  /**
   * Axis to pool.
   */
  dim?: number;
  /**
   * Switchyard extension: L2-normalise the result.
   */
  normalize?: boolean;
  /**
   * Switchyard extension: average only positions whose attention mask is 1 (sentence-transformers). false = plain mean over every position (xybrid).
   */
  masked?: boolean;
}
/**
 * Switchyard extension. Decoded crops -> lines {text, confidence, box} in reading order.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrAssembleLinesStep".
 */
export interface OcrAssembleLinesStep {
  type: 'OcrAssembleLines';
  /**
   * Drop lines below this confidence.
   */
  min_confidence?: number;
  /**
   * Same-line tolerance as a fraction of line height.
   */
  y_tolerance?: number;
}
/**
 * Switchyard extension. Cut each box out of the source image (perspective warp), turning tall crops upright.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrCropRotateStep".
 */
export interface OcrCropRotateStep {
  type: 'OcrCropRotate';
  /**
   * Rotate crops with height/width >= this.
   */
  rotate_if_tall_ratio?: number;
}
/**
 * Switchyard extension. Greedy CTC decode of recogniser output with a keys file.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrCtcDecodeStep".
 */
export interface OcrCtcDecodeStep {
  type: 'OcrCtcDecode';
  /**
   * One character per line.
   */
  vocab_file: string;
  /**
   * Blank index.
   */
  blank_index?: number;
  /**
   * Append ' ' to the vocab (PaddleOCR use_space_char).
   */
  append_space?: boolean;
}
/**
 * Switchyard extension. Rotate crops the direction classifier calls upside down.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrDirectionFixStep".
 */
export interface OcrDirectionFixStep {
  type: 'OcrDirectionFix';
  /**
   * Minimum classifier score to rotate.
   */
  threshold?: number;
}
/**
 * Switchyard extension. DB probability map -> text boxes in original-image coordinates.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OcrTextBoxesStep".
 */
export interface OcrTextBoxesStep {
  type: 'OcrTextBoxes';
  /**
   * Pixel threshold.
   */
  threshold?: number;
  /**
   * Minimum mean score inside a box.
   */
  box_threshold?: number;
  /**
   * Polygon expansion ratio.
   */
  unclip_ratio?: number;
  /**
   * Smallest box side (map pixels).
   */
  min_size?: number;
  /**
   * Smallest component area (map pixels).
   */
  min_area?: number;
  /**
   * Most boxes kept.
   */
  max_candidates?: number;
}
/**
 * Softmax along dim.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "SoftmaxStep".
 */
export interface SoftmaxStep {
  type: 'Softmax';
  /**
   * Axis (negative counts from the end).
   */
  dim?: number;
}
/**
 * Float samples -> audio bytes.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "TTSAudioEncodeStep".
 */
export interface TTSAudioEncodeStep {
  type: 'TTSAudioEncode';
  /**
   * Sample rate in Hz.
   */
  sample_rate: number;
  /**
   * Trim silence and normalise.
   */
  apply_postprocessing?: boolean;
  /**
   * Trim trailing near-silence (xybrid: samples below 1% of the peak at the end).
   */
  trim_trailing_silence?: boolean;
  /**
   * Switchyard extension: `wav` (a PCM16 WAV file) or `raw` (headerless PCM16 little-endian, what xybrid returns).
   */
  container?: 'wav' | 'raw';
}
/**
 * Sample a token id from logits.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "TemperatureSampleStep".
 */
export interface TemperatureSampleStep {
  type: 'TemperatureSample';
  /**
   * Softmax temperature, >= 0 (0 = greedy).
   */
  temperature: number;
  /**
   * Keep the k most likely tokens.
   */
  top_k?: number;
  /**
   * Nucleus mass.
   */
  top_p?: number;
  /**
   * Switchyard extension: seed for reproducible sampling.
   */
  seed?: number;
}
/**
 * Values (or indices) above threshold.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "ThresholdStep".
 */
export interface ThresholdStep {
  type: 'Threshold';
  /**
   * Cut-off.
   */
  threshold: number;
  /**
   * Return indices instead of a 0/1 mask.
   */
  return_indices?: boolean;
}
/**
 * The k largest values and their indices along dim.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "TopKStep".
 */
export interface TopKStep {
  type: 'TopK';
  /**
   * How many.
   */
  k: number;
  /**
   * Axis (negative counts from the end).
   */
  dim?: number;
  /**
   * Switchyard extension: class names; index i gets labels[i].
   */
  labels?: string[];
}
/**
 * Switchyard extension. Speech probabilities -> speech segments {start_ms, end_ms} (Silero hysteresis).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "VadSegmenterStep".
 */
export interface VadSegmenterStep {
  type: 'VadSegmenter';
  /**
   * Speech starts above this.
   */
  threshold?: number;
  /**
   * Speech ends below this.
   */
  neg_threshold?: number;
  /**
   * Shortest segment kept.
   */
  min_speech_ms?: number;
  /**
   * Silence that ends a segment.
   */
  min_silence_ms?: number;
  /**
   * Padding added to each side.
   */
  speech_pad_ms?: number;
}
/**
 * Whisper token ids -> text (special tokens dropped).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "WhisperDecodeStep".
 */
export interface WhisperDecodeStep {
  type: 'WhisperDecode';
  /**
   * tokenizer.json.
   */
  tokenizer_file: string;
}
/**
 * One ONNX graph (`SimpleMode` is the older alias).
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "OnnxTemplate".
 */
export interface OnnxTemplate {
  type: 'Onnx' | 'SimpleMode';
  /**
   * The .onnx file, one of `files`.
   */
  model_file: string;
  execution_mode?: ExecutionMode1;
}
/**
 * A safetensors checkpoint.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "SafeTensorsTemplate".
 */
export interface SafeTensorsTemplate {
  type: 'SafeTensors';
  /**
   * The .safetensors file.
   */
  model_file: string;
  /**
   * Model architecture.
   */
  architecture?: string;
  /**
   * config.json.
   */
  config_file?: string;
  /**
   * tokenizer.json.
   */
  tokenizer_file?: string;
}
/**
 * A TensorFlow Lite model.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "TfLiteTemplate".
 */
export interface TfLiteTemplate {
  type: 'TfLite';
  /**
   * .tflite file.
   */
  model_file: string;
}
export interface NpmFileSource {
  /**
   * Installed npm package.
   */
  npm: string;
  /**
   * File inside the package.
   */
  path: string;
  /**
   * Expected sha256 (hex) of the file.
   */
  sha256?: string;
}
export interface UrlFileSource {
  /**
   * https URL.
   */
  url: string;
  /**
   * Expected sha256 (hex) of the file.
   */
  sha256?: string;
}
export interface PathFileSource {
  /**
   * Local path, relative to the metadata file.
   */
  path: string;
  /**
   * Expected sha256 (hex) of the file.
   */
  sha256?: string;
}
/**
 * One voice of a TTS model.
 *
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "VoiceInfo".
 */
export interface VoiceInfo {
  /**
   * Voice id used in requests.
   */
  id: string;
  /**
   * Display name.
   */
  name: string;
  gender?: string;
  /**
   * BCP-47 tag.
   */
  language?: string;
  style?: string;
  /**
   * Index in the embedding file.
   */
  index?: number;
  preview_url?: string;
}
/**
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "EmbeddedVoiceConfig".
 */
export interface EmbeddedVoiceConfig {
  format: 'embedded';
  /**
   * Voice embedding file, one of `files`.
   */
  file: string;
  loader: 'binary_f32_256' | 'numpy_npz' | 'json_base64';
  /**
   * Default voice id.
   */
  default: string;
  catalog: VoiceInfo[];
  /**
   * How embeddings are picked at inference.
   */
  selection_strategy?: 'FixedIndex' | 'TokenLength';
}
/**
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "PerModelVoiceConfig".
 */
export interface PerModelVoiceConfig {
  format: 'per_model';
  voice_dir: string;
  pattern: string;
  /**
   * Default voice id.
   */
  default: string;
  catalog: VoiceInfo[];
  /**
   * How embeddings are picked at inference.
   */
  selection_strategy?: 'FixedIndex' | 'TokenLength';
}
/**
 * This interface was referenced by `ModelMetadata`'s JSON-Schema
 * via the `definition` "CloningVoiceConfig".
 */
export interface CloningVoiceConfig {
  format: 'cloning';
  encoder_model: string;
  min_audio_seconds: number;
  max_audio_seconds: number;
  /**
   * Default voice id.
   */
  default: string;
  catalog: VoiceInfo[];
  /**
   * How embeddings are picked at inference.
   */
  selection_strategy?: 'FixedIndex' | 'TokenLength';
}
