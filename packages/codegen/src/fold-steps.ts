import type { PlannedStep, StagePlan } from '@switchyard/core';

/**
 * Constant folding for the generated pipelines: a Normalize over one channel is `(x - mean) / std` with both numbers
 * known at codegen time, so the emitter writes it as a plain loop with the constants in it (and fuses a Reshape to
 * fixed dims in front of it, which only renames the dims). Inputs the folded loop does not cover go through the step
 * kernels, so every error and every other input is the kernels' own.
 */
export interface NormalizeFold {
  readonly mean: number;
  readonly std: number;
}

/** The constants of a Normalize step that can be folded, or undefined. */
export function normalizeFold(step: PlannedStep): NormalizeFold | undefined {
  if (step.type !== 'Normalize') return undefined;
  const { mean, std, layout } = step.params as { mean?: unknown; std?: unknown; layout?: unknown };
  if (layout !== undefined || !Array.isArray(mean) || !Array.isArray(std) || mean.length !== 1 || std.length !== 1) return undefined;
  const [m] = mean as unknown[];
  const [s] = std as unknown[];
  // -0 is left to the kernel: x - (-0) and x differ for x = -0.
  if (typeof m !== 'number' || typeof s !== 'number' || !Number.isFinite(m) || !Number.isFinite(s) || s === 0 || Object.is(m, -0)) return undefined;
  return { mean: m, std: s };
}

/** The dims of a Reshape with no inferred (-1) axis, or undefined. */
export function fixedReshapeDims(step: PlannedStep): readonly number[] | undefined {
  if (step.type !== 'Reshape') return undefined;
  const { shape } = step.params as { shape?: unknown };
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && (d as number) > 0)) return undefined;
  return shape as number[];
}

/** `(x - mean) / std` for one element, leaving out `- 0` and `/ 1` (exact either way). */
export function normalizeExpression(fold: NormalizeFold, x: string): string {
  let e = fold.mean === 0 ? x : `(${x} - ${JSON.stringify(fold.mean)})`;
  if (fold.std !== 1) e = `${e} / ${JSON.stringify(fold.std)}`;
  return e;
}

/**
 * A Softmax followed by a TopK: the generated pipeline runs core's fusedSoftmaxTopK for both, which checks at run time
 * that both `dim`s name the tensor's last axis (the rank is known only then) and otherwise runs the two kernels.
 */
export interface SoftmaxTopKFold {
  readonly softmaxDim: number | undefined;
  readonly topKDim: number | undefined;
  readonly k: number;
  readonly labels: readonly string[] | undefined;
}

/** The constants of a Softmax step and the TopK step after it when the two can be fused, or undefined. */
export function softmaxTopKFold(softmax: PlannedStep, topK: PlannedStep): SoftmaxTopKFold | undefined {
  if (softmax.type !== 'Softmax' || topK.type !== 'TopK') return undefined;
  const { dim: softmaxDim } = softmax.params as { dim?: unknown };
  const { dim: topKDim, k, labels } = topK.params as { dim?: unknown; k?: unknown; labels?: unknown };
  const axis = (dim: unknown): dim is number | undefined => dim === undefined || Number.isInteger(dim);
  if (!axis(softmaxDim) || !axis(topKDim) || !Number.isInteger(k) || (k as number) < 1) return undefined;
  if (labels !== undefined && !(Array.isArray(labels) && labels.every((l) => typeof l === 'string'))) return undefined;
  return { softmaxDim, topKDim, k: k as number, labels: labels as string[] | undefined };
}

/**
 * A VadWavDecode whose samples go straight into a StatefulStream stage (no stage preprocessing, no batching): the
 * generated pipeline hands the WAV's PCM16 samples to the stage (core's vadWavPcm16Samples and
 * StatefulStreamStage.runAllPcm16, which convert each window as the step converts the file), else runs the step.
 */
export function wavStreamFusion(decode: PlannedStep, stage: StagePlan): boolean {
  return decode.type === 'VadWavDecode' && stage.stream !== undefined && stage.pre.length === 0 && stage.batchSize === undefined;
}
