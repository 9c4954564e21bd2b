import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineStreamPart, TensorMap } from '@switchyard/spec';
import { createOnnxEngine, type OnnxEngine } from './index.js';
import { f32, fixture, outputTensors, rejection, signal } from '../test/fixtures.js';

// tiny-whisper (scripts/generate-test-graphs.mjs): encoder = sum of input_features; greedy next decoder token =
// (sum of decoder tokens + encoder value + 1) mod 32. With the forced prefix [28, 29, 30, 31] and an encoder value
// of 12: 118+12+1 = 131 % 32 = 3; 121+13 = 134 % 32 = 6; 127+13 = 140 % 32 = 12; 139+13 = 152 % 32 = 24 (= end).
const whisperMetadata = (mode: Record<string, unknown> = {}) => ({
  model_id: 'tiny-whisper', version: '1', files: ['encoder.onnx', 'decoder.onnx'],
  execution_template: {
    type: 'ModelGraph',
    stages: [
      { name: 'encoder', model_file: 'encoder.onnx', execution_mode: { type: 'SingleShot' }, inputs: ['input_features'], outputs: ['last_hidden_state'] },
      {
        name: 'decoder', model_file: 'decoder.onnx', inputs: ['input_ids', 'encoder_hidden_states'], outputs: ['logits'],
        execution_mode: { type: 'WhisperDecoder', max_tokens: 10, start_token_id: 28, end_token_id: 24, language_token_id: 29, task_token_id: 30, no_timestamps_token_id: 31, ...mode },
      },
    ],
  },
});
const files = { 'encoder.onnx': fixture('tiny-whisper-encoder.onnx'), 'decoder.onnx': fixture('tiny-whisper-decoder.onnx') };
const features = (ones: number) => f32(Array.from({ length: 32 }, (_, i) => (i < ones ? 1 : 0)), [1, 4, 8]);

let engine: OnnxEngine;
beforeAll(async () => {
  engine = createOnnxEngine();
  await engine.doLoad({ id: 'whisper', files, metadata: whisperMetadata() }, signal());
  await engine.doLoad({ id: 'whisper-suppress', files, metadata: whisperMetadata({ suppress_tokens: [6] }) }, signal());
});
afterAll(async () => engine.close());

const request = (tensors: TensorMap, modelId = 'whisper', maxTokens?: number) => ({
  modelId, workload: 'transcription' as const, input: { kind: 'tensors' as const, stage: 'decoder', tensors },
  ...(maxTokens !== undefined ? { parameters: { maxTokens } } : {}),
});

describe('WhisperDecoder', () => {
  it('runs the encoder once, forces the prefix and decodes to the end token', async () => {
    const result = await engine.doRun(request({ input_features: features(12) }), signal());
    expect(Array.from(outputTensors(result)['tokens']!.data, Number)).toEqual([3, 6, 12]);
    expect(result.finishReason).toBe('stop');
    expect(result.metrics).toEqual({ decoder_steps: 4, encoder_runs: 1 });
    expect(result.usage).toMatchObject({ inputTokens: 4, outputTokens: 3 });
  });

  it('takes encoder_hidden_states directly without running the encoder', async () => {
    const result = await engine.doRun(request({ encoder_hidden_states: f32([12], [1, 1, 1]) }), signal());
    expect(Array.from(outputTensors(result)['tokens']!.data, Number)).toEqual([3, 6, 12]);
    expect(result.metrics?.['encoder_runs']).toBe(0);
  });

  it('never picks a suppressed token', async () => {
    // 6 is suppressed: its neighbours 5 and 7 tie and the lower id wins; then 126+13=139%32=11, 137+13=150%32=22,
    // 159+13=172%32=12, 171+13=184%32=24 (end)
    const result = await engine.doRun(request({ input_features: features(12) }, 'whisper-suppress'), signal());
    expect(Array.from(outputTensors(result)['tokens']!.data, Number)).toEqual([3, 5, 11, 22, 12]);
  });

  it('streams tokens and honours max tokens', async () => {
    const parts: EngineStreamPart[] = [];
    for await (const part of engine.doStream(request({ input_features: features(12) }, 'whisper', 2), signal())) parts.push(part);
    expect(parts.filter((p) => p.type === 'delta').map((p) => (p as { tokenId: number }).tokenId)).toEqual([3, 6]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'length' });
  });

  it('checks the encoder input against the encoder graph', async () => {
    const error = await rejection(engine.doRun(request({ input_features: f32([1, 2, 3], [1, 3]) }), signal()));
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect(error.message).toMatch(/stage 'encoder'.*'input_features' has shape \[1, 3\], expected \[batch_size, 4, 8\]/);
  });

  it('refuses metadata with a malformed mode (METADATA_INVALID with a pointer)', async () => {
    const error = await rejection(engine.doLoad({ id: 'bad', files, metadata: whisperMetadata({ start_token_id: 'x' }) }, signal()));
    expect(SwitchyardError.hasCode(error, 'METADATA_INVALID')).toBe(true);
    expect(error.message).toMatch(/\/execution_template\/stages\/1\/execution_mode\/start_token_id must be an integer/);
  });
});
