import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineRunRequest, EngineStreamPart, GenerationParameters, TensorMap } from '@switchyard/spec';
import { createOnnxEngine, type OnnxEngine } from './index.js';
import { fixture, i64, outputTensors, rejection, signal } from '../test/fixtures.js';

// tiny-lm (scripts/generate-test-graphs.mjs): greedy next = (sum of tokens + sum of positions + 1) mod 16, read
// through a 2-layer KV cache, so the expected sequences below only come out when past/present and position_ids are
// carried correctly. Prompt [1, 2] -> 5, 12, 11, 10, 9, 8, 7, 6, 5, 4 ...
const metadata = (mode: Record<string, unknown>) => ({
  model_id: 'tiny-lm', version: '1', files: ['tiny-lm.onnx'],
  execution_template: { type: 'ModelGraph', stages: [{ name: 'decoder', model_file: 'tiny-lm.onnx', execution_mode: { type: 'Autoregressive', max_tokens: 8, ...mode }, inputs: ['input_ids'], outputs: ['logits'] }] },
});

let engine: OnnxEngine;
beforeAll(async () => {
  engine = createOnnxEngine();
  await engine.doLoad({ id: 'tiny-lm', files: { 'tiny-lm.onnx': fixture('tiny-lm.onnx') }, metadata: metadata({}) }, signal());
  await engine.doLoad({ id: 'tiny-lm-eos', files: { 'tiny-lm.onnx': fixture('tiny-lm.onnx') }, metadata: metadata({ end_token_id: 9, start_token_id: 3 }) }, signal());
});
afterAll(async () => engine.close());

const request = (prompt: number[] | undefined, parameters?: GenerationParameters, modelId = 'tiny-lm'): EngineRunRequest => ({
  modelId, workload: 'completion' as const,
  input: { kind: 'tensors' as const, stage: 'decoder', tensors: (prompt ? { input_ids: i64(prompt, [1, prompt.length]) } : {}) as TensorMap },
  ...(parameters ? { parameters } : {}),
});

async function generate(prompt: number[] | undefined, parameters?: GenerationParameters, modelId = 'tiny-lm') {
  const result = await engine.doRun(request(prompt, parameters, modelId), signal());
  return { tokens: Array.from(outputTensors(result)['tokens']!.data, Number), result };
}

describe('Autoregressive', () => {
  it('decodes greedily with the KV cache to the known sequence', async () => {
    const { tokens, result } = await generate([1, 2]);
    expect(tokens).toEqual([5, 12, 11, 10, 9, 8, 7, 6]);
    expect(result.finishReason).toBe('length');
    expect(result.usage).toEqual({ inputTokens: 2, outputTokens: 8, totalTokens: 10 });
    // one prefill step + one step per further token: the prompt is not re-fed
    expect(result.metrics?.['decoder_steps']).toBe(8);
    // prompt [4]: 4+0+1=5; 9+1+1=11; 20+3+1=24%16=8; 28+6+1=35%16=3; 31+10+1=42%16=10 ...
    expect((await generate([4])).tokens).toEqual([5, 11, 8, 3, 10, 9, 8, 7]);
  });

  it('stops at max tokens and at stop tokens (from parameters and the mode end_token_id)', async () => {
    expect((await generate([1, 2], { maxTokens: 3 })).tokens).toEqual([5, 12, 11]);
    const stopped = await generate([1, 2], { stop: ['10'] });
    expect(stopped.tokens).toEqual([5, 12, 11]);
    expect(stopped.result.finishReason).toBe('stop');
    const eos = await generate([1, 2], {}, 'tiny-lm-eos');
    expect(eos.tokens).toEqual([5, 12, 11, 10]);
    expect(eos.result.finishReason).toBe('stop');
    // no prompt: starts from start_token_id 3 -> 3+0+1 = 4, then 7+1+1 = 9 = end_token_id
    const fromStart = await generate(undefined, { maxTokens: 5 }, 'tiny-lm-eos');
    expect(fromStart.tokens).toEqual([4]);
    expect(fromStart.result.finishReason).toBe('stop');
    const bad = await rejection(generate([1], { stop: ['</s>'] }));
    expect(SwitchyardError.hasCode(bad, 'INVALID_INPUT')).toBe(true);
  });

  it('applies the repetition penalty to tokens already in the sequence', async () => {
    const plain = (await generate([1, 2], { maxTokens: 10 })).tokens;
    expect(plain).toEqual([5, 12, 11, 10, 9, 8, 7, 6, 5, 4]);
    const penalised = (await generate([1, 2], { maxTokens: 10, repetitionPenalty: 3 })).tokens;
    // token 5 (step 9) was already generated: 2/3 < 1, so a neighbour (4, first by index) wins
    expect(penalised.slice(0, 8)).toEqual(plain.slice(0, 8));
    expect(penalised[8]).toBe(4);
    expect(penalised).not.toEqual(plain);
  });

  it('samples reproducibly with a seed, and the seed matters', async () => {
    const params = { temperature: 1, seed: 42, maxTokens: 8 };
    const a = (await generate([1, 2], params)).tokens;
    const b = (await generate([1, 2], params)).tokens;
    expect(a).toEqual(b);
    expect(a).toEqual([4, 11, 10, 6, 2, 10, 11, 13]);
    const others = await Promise.all([1, 2, 3, 4].map(async (seed) => (await generate([1, 2], { ...params, seed })).tokens.join(',')));
    expect(new Set([...others, a.join(',')]).size).toBeGreaterThan(1);
    // top-k 1 is greedy whatever the temperature
    expect((await generate([1, 2], { temperature: 5, topK: 1, seed: 7, maxTokens: 8 })).tokens).toEqual([5, 12, 11, 10, 9, 8, 7, 6]);
    // a small top-p keeps only the top token too
    expect((await generate([1, 2], { temperature: 1, topP: 0.1, seed: 7, maxTokens: 8 })).tokens).toEqual([5, 12, 11, 10, 9, 8, 7, 6]);
  });

  it('streams tokens as they are produced', async () => {
    const parts: EngineStreamPart[] = [];
    for await (const part of engine.doStream(request([1, 2], { maxTokens: 4 }), signal())) parts.push(part);
    expect(parts.map((p) => (p.type === 'delta' && p.kind === 'token' ? p.tokenId : p.type))).toEqual(['start', 5, 12, 11, 10, 'metrics', 'finish']);
    expect(parts.at(-1)).toEqual({ type: 'finish', usage: { inputTokens: 2, outputTokens: 4, totalTokens: 6 }, finishReason: 'length' });
  });

  it('aborts mid-generation with ABORTED', async () => {
    const controller = new AbortController();
    const received: number[] = [];
    const parts: EngineStreamPart[] = [];
    for await (const part of engine.doStream(request([1, 2], { maxTokens: 8 }), controller.signal)) {
      parts.push(part);
      if (part.type === 'delta' && part.kind === 'token') {
        received.push(part.tokenId);
        if (received.length === 3) controller.abort();
      }
    }
    expect(received).toEqual([5, 12, 11]);
    const last = parts.at(-1)!;
    expect(last.type).toBe('error');
    expect(SwitchyardError.hasCode((last as { error: unknown }).error, 'ABORTED')).toBe(true);
    expect(((last as { error: Error }).error).message).toMatch(/aborted after 3 tokens/);
  });

  it('refuses a prompt of the wrong type', async () => {
    const error = await rejection(engine.doRun({ ...request(undefined), input: { kind: 'tensors', stage: 'decoder', tensors: { input_ids: { type: 'float32', dims: [1, 1], data: Float32Array.of(1) } } } }, signal()));
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
    expect(error.message).toMatch(/'input_ids' must be int64 \[1, n\], found float32 \[1, 1\]/);
  });
});
