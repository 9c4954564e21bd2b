import type { Tensor } from '@switchyard/spec';
import { stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { checkTensorSize, expectTensor, float32Tensor, resolveAxis, toFloat32 } from './step-tensor.js';
import { STEP_SLOTS, type TensorInput } from './step-values.js';

export interface MeanPoolParams {
  /** The sequence axis to average over (default 1, i.e. `[B, T, H]` -> `[B, H]`). */
  readonly dim?: number;
  /** Our extension: L2-normalise each pooled vector (sentence-transformers `Normalize`). */
  readonly normalize?: boolean;
  /**
   * Our extension: count only positions whose attention mask is 1 (sentence-transformers; default true). false
   * averages every position, padding included, as xybrid does.
   */
  readonly masked?: boolean;
}

/**
 * Mean over the sequence axis of `[B, T, H]` hidden states, counting only positions whose attention mask
 * (written by Tokenize into `frame.slots`) is 1 (sentence-transformers' pooling). Without a mask, or with
 * `masked: false` (xybrid), every position counts.
 */
export function createMeanPoolStep(params: MeanPoolParams, env: StepEnvironment): StepFunction<TensorInput, Tensor> {
  return (input, frame) => {
    const tensor = expectTensor(input, env, isMap(input) && 'last_hidden_state' in input ? 'last_hidden_state' : undefined);
    checkTensorSize(tensor, env);
    if (tensor.dims.length !== 3) {
      throw stepInputError(env, 'expects hidden states of rank 3', { expected: '[batch, sequence, hidden]', found: `[${tensor.dims.join(', ')}]` });
    }
    const axis = resolveAxis(params.dim ?? 1, 3, env);
    if (axis !== 1) throw stepInputError(env, 'only pooling over the sequence axis is supported', { expected: 'dim 1', found: `dim ${axis}`, field: 'dim' });
    const [batch, seq, hidden] = tensor.dims as [number, number, number];
    const x = toFloat32(tensor, env);
    const maskTensor = params.masked === false ? undefined : (frame.slots.get(STEP_SLOTS.attentionMask) as Tensor | undefined);
    if (maskTensor && (maskTensor.dims[0] !== batch || maskTensor.dims[1] !== seq)) {
      throw stepInputError(env, 'attention mask does not match the hidden states', { expected: `[${batch}, ${seq}]`, found: `[${maskTensor.dims.join(', ')}]` });
    }
    const mask = maskTensor ? Array.from(maskTensor.data as ArrayLike<number | bigint>, Number) : undefined;
    const out = new Float32Array(batch * hidden);
    for (let b = 0; b < batch; b++) {
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (mask && mask[b * seq + t] === 0) continue;
        count++;
        for (let h = 0; h < hidden; h++) out[b * hidden + h]! += x[(b * seq + t) * hidden + h]!;
      }
      const scale = 1 / Math.max(count, 1e-9);
      let norm = 0;
      for (let h = 0; h < hidden; h++) { out[b * hidden + h]! *= scale; norm += out[b * hidden + h]! ** 2; }
      if (params.normalize) {
        const inv = 1 / Math.max(Math.sqrt(norm), 1e-12);
        for (let h = 0; h < hidden; h++) out[b * hidden + h]! *= inv;
      }
    }
    return float32Tensor(out, [batch, hidden]);
  };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !('dims' in value);
}
