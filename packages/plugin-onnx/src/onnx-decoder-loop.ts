import * as ort from 'onnxruntime-node';
import { SwitchyardError } from '@switchyard/spec';
import type { FinishReason } from '@switchyard/spec';
import type { InputSpec } from './onnx-input-check.js';
import { int64Tensor, zeroTensor } from './onnx-tensor.js';
import type { TokenSampler } from './onnx-sampling.js';

const PAST_PREFIX = 'past_key_values.';

/** Past/present pairs in Hugging Face optimum naming: `past_key_values.X` is fed from the last run's `present.X`. */
export interface KvLayout {
  readonly pairs: readonly { readonly past: InputSpec; readonly present: string }[];
}

export function readKvLayout(inputs: readonly InputSpec[], outputNames: readonly string[], where: string): KvLayout {
  const outputs = new Set(outputNames);
  const pairs = inputs
    .filter((spec) => spec.name.startsWith(PAST_PREFIX))
    .map((past) => {
      const present = `present.${past.name.slice(PAST_PREFIX.length)}`;
      if (!outputs.has(present)) {
        throw new SwitchyardError({
          code: 'MODEL_LOAD_FAILED',
          message: `${where}: the graph takes '${past.name}' but has no output '${present}' to feed it from (outputs: ${outputNames.join(', ')})`,
          details: { input: past.name, expected: present },
        });
      }
      return { past, present };
    });
  return { pairs };
}

/** An empty cache: symbolic dims are batch (first) = 1 and every other (the sequence axis) = 0. */
function emptyPast(spec: InputSpec): ort.Tensor {
  const dims = spec.shape.map((d, i) => (typeof d === 'number' && d >= 0 ? d : i === 0 ? 1 : 0));
  return zeroTensor(spec.type as ort.Tensor.Type, dims);
}

export interface DecoderSession {
  readonly session: ort.InferenceSession;
  readonly inputs: readonly InputSpec[];
  readonly kv: KvLayout;
  /** "model 'x' stage 'y'", for error messages. */
  readonly where: string;
}

export interface DecoderLoopOptions {
  /** Tokens fed in the first step (prompt, or Whisper's forced prefix). */
  readonly prefix: readonly number[];
  /** Other inputs fed at every step (e.g. `encoder_hidden_states`). */
  readonly extraFeeds?: Readonly<Record<string, ort.Tensor>>;
  readonly maxTokens: number;
  readonly stopTokens: ReadonlySet<number>;
  readonly sampler: TokenSampler;
  /** Tokens the repetition penalty looks at besides the generated ones (e.g. the prompt). */
  readonly history?: readonly number[];
  readonly signal: AbortSignal;
}

export interface DecoderLoopResult {
  readonly tokens: number[];
  readonly finishReason: FinishReason;
  readonly steps: number;
}

function throwAborted(where: string, signal: AbortSignal, generated: number): never {
  throw new SwitchyardError({
    code: 'ABORTED',
    message: `${where}: generation was aborted after ${generated} tokens`,
    cause: signal.reason,
    details: { generated },
  });
}

/**
 * The decode loop with KV cache shared by Autoregressive and WhisperDecoder: feed the prefix once, then one token a
 * step with the cache carried over; yields each generated token as soon as it is picked; the stop token ends the
 * loop (and is not yielded). Returns why it finished.
 */
export async function* runDecoderLoop(decoder: DecoderSession, options: DecoderLoopOptions): AsyncGenerator<number, DecoderLoopResult> {
  const { session, inputs, kv, where } = decoder;
  const declared = new Set(inputs.map((s) => s.name));
  const past: Record<string, ort.Tensor> = {};
  for (const { past: spec } of kv.pairs) past[spec.name] = emptyPast(spec);
  const history = [...(options.history ?? [])];
  const generated: number[] = [];
  let pastLength = 0;
  let step = [...options.prefix];
  let steps = 0;
  if (step.length === 0) {
    throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${where}: generation needs at least one input token`, details: { field: 'input_ids' } });
  }
  while (generated.length < options.maxTokens) {
    if (options.signal.aborted) throwAborted(where, options.signal, generated.length);
    const feeds: Record<string, ort.Tensor> = { ...options.extraFeeds, ...past, input_ids: int64Tensor(step, [1, step.length]) };
    if (declared.has('attention_mask')) feeds['attention_mask'] = int64Tensor(new Array(pastLength + step.length).fill(1), [1, pastLength + step.length]);
    if (declared.has('position_ids')) feeds['position_ids'] = int64Tensor(step.map((_, i) => pastLength + i), [1, step.length]);
    if (declared.has('use_cache_branch')) feeds['use_cache_branch'] = new ort.Tensor('bool', Uint8Array.of(pastLength > 0 ? 1 : 0), [1]);
    const outputs = await session.run(feeds);
    steps += 1;
    if (options.signal.aborted) throwAborted(where, options.signal, generated.length);
    const logits = outputs['logits'] as ort.Tensor | undefined;
    if (!logits || logits.dims.length !== 3) {
      throw new SwitchyardError({ code: 'STEP_FAILED', message: `${where}: the graph must output 'logits' [batch, sequence, vocab]`, details: { found: logits?.dims } });
    }
    const vocab = logits.dims[2]!;
    const offset = (logits.dims[1]! - 1) * vocab;
    const last = (logits.data as Float32Array).slice(offset, offset + vocab);
    for (const { past: spec, present } of kv.pairs) past[spec.name] = outputs[present] as ort.Tensor;
    pastLength += step.length;
    history.push(...step);
    const token = options.sampler.next(last, history);
    if (options.stopTokens.has(token)) return { tokens: generated, finishReason: 'stop', steps };
    generated.push(token);
    yield token;
    step = [token];
  }
  return { tokens: generated, finishReason: 'length', steps };
}
