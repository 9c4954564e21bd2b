import { describe, expect, it } from 'vitest';
import { validateModelMetadata } from './metadata-validator.js';
import { createInterpretedPipeline } from './template-executor.js';

/**
 * Schema parity with xybrid-core's serde types (crates/xybrid-core/src/execution/template/{metadata,steps,voice}.rs
 * at HEAD, and core/src/execution_template.rs of the December 2025 format). Each case is labelled with what
 * `serde_json::from_str::<ModelMetadata>` does with it; ours must agree. Deliberate differences (we accept more:
 * missing `files`, negative `dim`, ...) are listed in docs/model-metadata.md, "Compatibility with xybrid", not here.
 */
type Verdict = 'accept' | 'reject';
interface ParityCase {
  readonly name: string;
  readonly xybrid: Verdict;
  readonly json: Record<string, unknown>;
  /** For accepted files: the JSON pointers we warn about (unknown or unused fields). */
  readonly warnings?: readonly string[];
  /** For rejected files: a pointer our error must name. */
  readonly pointer?: string;
}

const onnx = { type: 'Onnx', model_file: 'model.onnx' };
const base = { model_id: 'm', version: '1', execution_template: onnx, files: ['model.onnx'] };
const withPre = (...steps: unknown[]) => ({ ...base, preprocessing: steps });
const withPost = (...steps: unknown[]) => ({ ...base, postprocessing: steps });
const graph = (mode: unknown, extra: Record<string, unknown> = {}) => ({
  ...base,
  execution_template: { type: 'ModelGraph', stages: [{ name: 'main', model_file: 'model.onnx', execution_mode: mode, inputs: ['x'], outputs: ['y'] }], ...extra },
});
const embedded = { format: 'embedded', file: 'voices.bin', loader: 'binary_f32_256', default: 'a', catalog: [{ id: 'a', name: 'A', index: 0 }] };

const CASES: readonly ParityCase[] = [
  { name: 'minimal Onnx file (HEAD)', xybrid: 'accept', json: base },
  { name: 'SimpleMode template (December 2025 name of Onnx)', xybrid: 'accept', json: { ...base, execution_template: { type: 'SimpleMode', model_file: 'model.onnx' } } },
  { name: 'mixed-case model_id', xybrid: 'accept', json: { ...base, model_id: 'MNIST-Digit_12' } },
  { name: 'empty version', xybrid: 'accept', json: { ...base, version: '' } },
  { name: 'description: null', xybrid: 'accept', json: { ...base, description: null } },
  { name: 'unknown root field (serde ignores it; we warn)', xybrid: 'accept', json: { ...base, author: 'me' }, warnings: ['/author'] },
  { name: 'unknown step field (serde ignores it; we warn)', xybrid: 'accept', json: withPre({ type: 'Normalize', mean: [0], std: [1], channel_first: true }), warnings: ['/preprocessing/0/channel_first'] },
  { name: 'unknown template field', xybrid: 'accept', json: { ...base, execution_template: { ...onnx, runtime: 'cuda' } }, warnings: ['/execution_template/runtime'] },
  { name: 'voices: embedded', xybrid: 'accept', json: { ...base, files: ['model.onnx', 'voices.bin'], voices: embedded } },
  { name: 'voices: per_model with selection_strategy', xybrid: 'accept', json: { ...base, voices: { format: 'per_model', voice_dir: 'voices/', pattern: '{voice_id}.onnx', default: 'a', catalog: [{ id: 'a', name: 'A', language: 'en-US' }], selection_strategy: 'TokenLength' } } },
  { name: 'voices: cloning with an empty catalog', xybrid: 'accept', json: { ...base, voices: { format: 'cloning', encoder_model: 'enc.onnx', min_audio_seconds: 3, max_audio_seconds: 30, default: 'cloned', catalog: [] } } },
  { name: 'voices: null', xybrid: 'accept', json: { ...base, voices: null } },
  { name: 'voice entry with null optional fields', xybrid: 'accept', json: { ...base, files: ['model.onnx', 'voices.bin'], voices: { ...embedded, catalog: [{ id: 'a', name: 'A', gender: null, language: null, style: null, index: null, preview_url: null }] } } },
  { name: 'ModelGraph with graph-wide config (kept, reported unused)', xybrid: 'accept', json: graph({ type: 'SingleShot' }, { config: { kv_cache_shape: [1, 8, 0, 64] } }), warnings: ['/execution_template/config/kv_cache_shape'] },
  { name: 'Pipeline template (December 2025 name of ModelGraph)', xybrid: 'accept', json: { ...graph({ type: 'SingleShot' }), execution_template: { type: 'Pipeline', stages: [{ name: 'enc', model_file: 'model.onnx', inputs: ['x'], outputs: ['y'] }], config: {} } } },
  { name: 'CandleModel template (December 2025)', xybrid: 'accept', json: { ...base, execution_template: { type: 'CandleModel', model_file: 'model.safetensors', config_file: null, tokenizer_file: 'tokenizer.json', model_type: 'whisper' }, files: ['model.safetensors', 'tokenizer.json'] } },
  { name: 'IterativeRefinement with the default schedule', xybrid: 'accept', json: graph({ type: 'IterativeRefinement', num_steps: 4 }) },
  { name: 'IterativeRefinement with a Cosine schedule', xybrid: 'accept', json: graph({ type: 'IterativeRefinement', num_steps: 4, schedule: { type: 'Cosine' } }) },
  { name: 'IterativeRefinement with Custom timesteps', xybrid: 'accept', json: graph({ type: 'IterativeRefinement', num_steps: 2, schedule: { type: 'Custom', timesteps: [0.9, 0.1] } }) },
  { name: 'Autoregressive with default repetition_penalty', xybrid: 'accept', json: graph({ type: 'Autoregressive', max_tokens: 8, start_token_id: 1, end_token_id: 2 }) },
  { name: 'WhisperDecoder with defaults', xybrid: 'accept', json: graph({ type: 'WhisperDecoder', max_tokens: 8, start_token_id: 1, end_token_id: 2, language_token_id: 3, task_token_id: 4, no_timestamps_token_id: 5 }) },
  { name: 'Phonemize without backend (defaults to MisakiDictionary)', xybrid: 'accept', json: { ...withPre({ type: 'Phonemize', tokens_file: 'tokens.txt' }), files: ['model.onnx', 'tokens.txt'] } },
  { name: 'Phonemize with normalize_text and silence_tokens', xybrid: 'accept', json: { ...withPre({ type: 'Phonemize', tokens_file: 'tokens.txt', backend: 'EspeakNG', normalize_text: true, silence_tokens: 2, dict_file: null, language: null }), files: ['model.onnx', 'tokens.txt'] } },
  { name: 'MelSpectrogram preset whisper-tiny', xybrid: 'accept', json: withPre({ type: 'MelSpectrogram', preset: 'whisper-tiny' }) },
  { name: 'MelSpectrogram max_frames: null (no limit)', xybrid: 'accept', json: withPre({ type: 'MelSpectrogram', max_frames: null }) },
  { name: 'MelSpectrogram as xybrid serialises it (preset: null)', xybrid: 'accept', json: withPre({ type: 'MelSpectrogram', preset: null, n_mels: 80, sample_rate: 16000, fft_size: 400, hop_length: 160, mel_scale: 'slaney', max_frames: 3000 }) },
  { name: 'Tokenize max_length: null', xybrid: 'accept', json: { ...withPre({ type: 'Tokenize', vocab_file: 'tokenizer.json', tokenizer_type: 'WordPiece', max_length: null }), files: ['model.onnx', 'tokenizer.json'] } },
  { name: 'Argmax / Softmax / TopK dim: null', xybrid: 'accept', json: withPost({ type: 'Softmax', dim: null }, { type: 'Argmax', dim: null }, { type: 'TopK', k: 3, dim: null }) },
  { name: 'TemperatureSample with null top_k / top_p', xybrid: 'accept', json: withPost({ type: 'TemperatureSample', temperature: 0.7, top_k: null, top_p: null }) },
  { name: 'TTSAudioEncode with trim_trailing_silence', xybrid: 'accept', json: withPost({ type: 'TTSAudioEncode', sample_rate: 24000, apply_postprocessing: false, trim_trailing_silence: true }) },
  { name: 'SafeTensors with null optional fields', xybrid: 'accept', json: { ...base, execution_template: { type: 'SafeTensors', model_file: 'model.safetensors', architecture: null, config_file: null, tokenizer_file: null }, files: ['model.safetensors'] } },
  { name: 'Gguf with chat_template: null', xybrid: 'accept', json: { ...base, execution_template: { type: 'Gguf', model_file: 'm.gguf', chat_template: null }, files: ['m.gguf'] } },
  { name: 'Threshold with return_indices', xybrid: 'accept', json: withPost({ type: 'Threshold', threshold: 0.5, return_indices: true }) },
  { name: 'CTCDecode with blank_index', xybrid: 'accept', json: { ...withPost({ type: 'CTCDecode', vocab_file: 'vocab.json', blank_index: 0 }), files: ['model.onnx', 'vocab.json'] } },
  { name: 'free-form metadata with nested nulls', xybrid: 'accept', json: { ...base, metadata: { task: 'x', accuracy: { top1: null }, notes: null } } },

  { name: 'missing model_id', xybrid: 'reject', json: { version: '1', execution_template: onnx, files: [] }, pointer: '/model_id' },
  { name: 'model_id is a number', xybrid: 'reject', json: { ...base, model_id: 5 }, pointer: '/model_id' },
  { name: 'missing execution_template', xybrid: 'reject', json: { model_id: 'm', version: '1', files: [] }, pointer: '/execution_template' },
  { name: 'unknown template type', xybrid: 'reject', json: { ...base, execution_template: { type: 'Tensorflow', model_file: 'm.pb' } }, pointer: '/execution_template/type' },
  { name: 'unknown step type', xybrid: 'reject', json: withPre({ type: 'Sharpen' }), pointer: '/preprocessing/0/type' },
  { name: 'Normalize without std', xybrid: 'reject', json: withPre({ type: 'Normalize', mean: [0] }), pointer: '/preprocessing/0/std' },
  { name: 'Reshape shape is a string', xybrid: 'reject', json: withPre({ type: 'Reshape', shape: '28x28' }), pointer: '/preprocessing/0/shape' },
  { name: 'TopK without k', xybrid: 'reject', json: withPost({ type: 'TopK' }), pointer: '/postprocessing/0/k' },
  { name: 'preprocessing: null (a Vec, not an Option)', xybrid: 'reject', json: { ...base, preprocessing: null }, pointer: '/preprocessing' },
  { name: 'Phonemize with an unknown backend', xybrid: 'reject', json: { ...withPre({ type: 'Phonemize', tokens_file: 'tokens.txt', backend: 'Festival' }), files: ['model.onnx', 'tokens.txt'] }, pointer: '/preprocessing/0/backend' },
  { name: 'IterativeRefinement without num_steps', xybrid: 'reject', json: graph({ type: 'IterativeRefinement' }), pointer: '/execution_template/stages/0/execution_mode/num_steps' },
  { name: 'Custom schedule without timesteps', xybrid: 'reject', json: graph({ type: 'IterativeRefinement', num_steps: 2, schedule: { type: 'Custom' } }), pointer: '/execution_template/stages/0/execution_mode/schedule/timesteps' },
  { name: 'unknown schedule type', xybrid: 'reject', json: graph({ type: 'IterativeRefinement', num_steps: 2, schedule: { type: 'Karras' } }), pointer: '/execution_template/stages/0/execution_mode/schedule/type' },
  { name: 'embedded voices without loader', xybrid: 'reject', json: { ...base, voices: { format: 'embedded', file: 'voices.bin', default: 'a', catalog: [] } }, pointer: '/voices/loader' },
  { name: 'voices with an unknown loader', xybrid: 'reject', json: { ...base, voices: { ...embedded, loader: 'wav' } }, pointer: '/voices/loader' },
  { name: 'voices with an unknown format', xybrid: 'reject', json: { ...base, voices: { ...embedded, format: 'remote' } }, pointer: '/voices/format' },
  { name: 'voice entry without name', xybrid: 'reject', json: { ...base, voices: { ...embedded, catalog: [{ id: 'a' }] } }, pointer: '/voices/catalog/0/name' },
  { name: 'ModelGraph stage without name', xybrid: 'reject', json: { ...base, execution_template: { type: 'ModelGraph', stages: [{ model_file: 'model.onnx', inputs: [], outputs: [] }] } }, pointer: '/execution_template/stages/0/name' },
  { name: 'unknown tokenizer_type', xybrid: 'reject', json: { ...withPre({ type: 'Tokenize', vocab_file: 'tokenizer.json', tokenizer_type: 'Unigram' }), files: ['model.onnx', 'tokenizer.json'] }, pointer: '/preprocessing/0/tokenizer_type' },
  { name: 'mel_scale "Slaney" (serde is lowercase)', xybrid: 'reject', json: withPre({ type: 'MelSpectrogram', mel_scale: 'Slaney' }), pointer: '/preprocessing/0/mel_scale' },
  { name: 'interpolation "bilinear" (serde is PascalCase)', xybrid: 'reject', json: withPre({ type: 'Resize', width: 2, height: 2, interpolation: 'bilinear' }), pointer: '/preprocessing/0/interpolation' },
  { name: 'Threshold threshold is a string', xybrid: 'reject', json: withPost({ type: 'Threshold', threshold: '0.5' }), pointer: '/postprocessing/0/threshold' },
  { name: 'k: null (usize, not an Option)', xybrid: 'reject', json: withPost({ type: 'TopK', k: null }), pointer: '/postprocessing/0/k' },
  { name: 'add_padding: null (bool with a default, not an Option)', xybrid: 'reject', json: { ...withPre({ type: 'Phonemize', tokens_file: 't.txt', add_padding: null }), files: ['model.onnx', 't.txt'] }, pointer: '/preprocessing/0/add_padding' },
];

describe('model_metadata.json parity with xybrid-core serde', () => {
  it('has at least 40 cases, both verdicts', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => c.xybrid === 'reject').length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = validateModelMetadata(c.json, { file: 'case.json' });
    // xybrid-core's serde checks the file's shape only; the step chain check (chain-plan.ts) is this runtime's own.
    const serdeIssues = result.issues.filter((i) => !/ cannot take what /.test(i.message));
    const verdict: Verdict = serdeIssues.length === 0 ? 'accept' : 'reject';
    expect({ verdict, issues: serdeIssues }).toMatchObject({ verdict: c.xybrid });
    if (c.xybrid === 'accept') expect(result.warnings.map((w) => w.pointer)).toEqual(c.warnings ?? []);
    if (c.name.startsWith('Phonemize') && c.xybrid === 'accept') {
      // Nothing here takes Phonemize's output: the chain check says so where xybrid would fail at run time.
      expect(result.issues.map((i) => i.pointer)).toEqual(['/execution_template']);
    }
    if (c.pointer) expect(result.issues.map((i) => i.pointer)).toContain(c.pointer);
  });

  it('--strict turns an unknown field into an error naming file and pointer', () => {
    const json = withPre({ type: 'Normalize', mean: [0], std: [1], widht: 3 });
    const lax = validateModelMetadata(json, { file: 'models/x/model_metadata.json' });
    expect(lax.ok).toBe(true);
    expect(lax.warnings[0]).toMatchObject({ file: 'models/x/model_metadata.json', pointer: '/preprocessing/0/widht', message: expect.stringMatching(/not a known field/) });
    if (lax.ok) expect(lax.metadata.preprocessing?.[0]).not.toHaveProperty('widht');
    const strict = validateModelMetadata(json, { file: 'models/x/model_metadata.json', strict: true });
    expect(strict.ok).toBe(false);
    expect(strict.issues[0]).toMatchObject({ pointer: '/preprocessing/0/widht', message: 'is not a known field here' });
  });

  it('drops null optional fields, keeps max_frames: null, and reads Pipeline as ModelGraph', () => {
    const result = validateModelMetadata(
      { ...withPre({ type: 'MelSpectrogram', preset: null, max_frames: null }), description: null, execution_template: { type: 'Pipeline', stages: [{ name: 's', model_file: 'model.onnx', inputs: [], outputs: [] }] } },
      { file: 'x.json' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.metadata).not.toHaveProperty('description');
    expect(result.metadata.preprocessing?.[0]).toMatchObject({ max_frames: null });
    expect(result.metadata.preprocessing?.[0]).not.toHaveProperty('preset');
    expect(result.metadata.execution_template.type).toBe('ModelGraph');
  });

  it('a model with voices validates but its pipeline is UNSUPPORTED, naming /voices (never silently ignored)', () => {
    const json = { ...base, files: ['model.onnx', 'voices.bin'], voices: embedded };
    expect(validateModelMetadata(json, { file: 'x.json' }).ok).toBe(true);
    expect(() => createInterpretedPipeline(json)).toThrowError(/\/voices \(xybrid TTS voice embeddings, format 'embedded'\) is not supported/);
  });
});
