import type { Tensor, TensorMap } from '@switchyard/spec';
import { InvalidInputError, SwitchyardError } from '@switchyard/spec';
import type { PipelineFrame, StepFunction } from '../steps/step-kernel.js';

/**
 * Glue shared by generated pipelines and the TemplateExecutor, so both feed graphs, read outputs and batch stages
 * the same way (their outputs must be identical).
 */

/** Slot holding the last graph run's full output map (for steps that need more than the first output). */
export const GRAPH_OUTPUTS_SLOT = 'graph_outputs';
/** Slot holding the items of the current batch while a batched stage runs (steps pair results with their items). */
export const STAGE_BATCH_SLOT = 'stage.batch';

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dims' in value && 'data' in value && 'type' in value;
}

function isTensorMap(value: unknown): value is TensorMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every(isTensor);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array(${value.length})`;
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/**
 * The value preprocessing produced -> graph feeds. A Tensor feeds the first input name (default `input`); a TensorMap
 * is passed as is, narrowed to `inputNames` when they are given.
 */
export function toGraphFeeds(value: Tensor | TensorMap, inputNames: readonly string[], modelId: string, stage?: string): TensorMap {
  if (isTensor(value)) return { [inputNames[0] ?? 'input']: value };
  if (isTensorMap(value)) {
    if (inputNames.length === 0) return value;
    const feeds: Record<string, Tensor> = {};
    for (const name of inputNames) {
      const tensor = value[name];
      if (tensor) feeds[name] = tensor;
    }
    if (Object.keys(feeds).length === 0) {
      throw new InvalidInputError({
        message: `Model '${modelId}'${stage ? ` stage '${stage}'` : ''}: preprocessing produced tensors [${Object.keys(value).join(', ')}] but the graph takes [${inputNames.join(', ')}]`,
        modelId,
        ...(stage ? { step: `stages/${stage}` } : {}),
        expected: `tensors named ${inputNames.join(', ')}`,
        found: Object.keys(value).join(', '),
      });
    }
    return feeds;
  }
  throw new InvalidInputError({
    message: `Model '${modelId}'${stage ? ` stage '${stage}'` : ''}: the graph needs a Tensor or TensorMap after preprocessing, got ${describe(value)}`,
    modelId,
    ...(stage ? { step: `stages/${stage}` } : {}),
    expected: 'Tensor or TensorMap',
    found: describe(value),
  });
}

/**
 * Graph outputs -> the value postprocessing starts from: the named output when `outputNames` has one name, the
 * named subset when it has several, else the single tensor (or the whole map). The full map goes to a slot. A name
 * the graph did not return is an error, never a silently different shape (load-time checks refuse such metadata
 * first: stageGraphIssues).
 */
export function fromGraphOutputs(outputs: TensorMap, outputNames: readonly string[], frame: PipelineFrame): Tensor | TensorMap {
  frame.slots.set(GRAPH_OUTPUTS_SLOT, outputs);
  if (outputNames.length === 0) {
    const values = Object.values(outputs);
    return values.length === 1 ? values[0]! : outputs;
  }
  const missing = outputNames.filter((name) => !outputs[name]);
  if (missing.length) {
    const returned = Object.keys(outputs).join(', ') || 'none';
    throw new SwitchyardError({
      code: 'METADATA_INVALID',
      message: `the metadata names graph output${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')} but the graph returned [${returned}]`,
      details: { expected: `one of ${returned}`, found: missing.join(', ') },
    });
  }
  if (outputNames.length === 1) return outputs[outputNames[0]!]!;
  const picked: Record<string, Tensor> = {};
  for (const name of outputNames) picked[name] = outputs[name]!;
  return picked;
}

/**
 * Runs a stage body once, or once per slice of `batchSize` items when the incoming value is an array and the stage
 * has `config.batch_size`; array results are concatenated in order. The current slice is in STAGE_BATCH_SLOT.
 */
export async function runStageBatched<I, O>(
  value: I,
  batchSize: number | undefined,
  frame: PipelineFrame,
  body: (part: I) => Promise<O>,
): Promise<O> {
  if (!batchSize || !Array.isArray(value)) return body(value);
  const results: unknown[] = [];
  for (let start = 0; start < value.length; start += batchSize) {
    const part = value.slice(start, start + batchSize);
    frame.slots.set(STAGE_BATCH_SLOT, part);
    const out = await body(part as I);
    if (Array.isArray(out)) results.push(...out);
    else results.push(out);
  }
  return results as O;
}

export type FilesBoundStep<I = unknown, O = unknown> = (files: Readonly<Record<string, string>>) => Promise<StepFunction<I, O>>;

/** A step that needs files is built on first use per files map and memoised (a failed build is retried). */
export function memoiseStepForFiles<I, O>(
  build: (files: Readonly<Record<string, string>>) => StepFunction<I, O> | Promise<StepFunction<I, O>>,
): FilesBoundStep<I, O> {
  const cache = new WeakMap<object, Promise<StepFunction<I, O>>>();
  return (files) => {
    let step = cache.get(files);
    if (!step) {
      step = Promise.resolve().then(() => build(files));
      step.catch(() => cache.delete(files));
      cache.set(files, step);
    }
    return step;
  };
}

/** Step input/output types of a `create${T}Step` factory (used by the generated registry). */
export type StepInputOf<F> = F extends (...args: never[]) => infer R
  ? Awaited<R> extends (input: infer I, ...rest: never[]) => unknown
    ? I
    : unknown
  : unknown;
export type StepOutputOf<F> = F extends (...args: never[]) => infer R
  ? Awaited<R> extends (...args: never[]) => infer O
    ? Awaited<O>
    : unknown
  : unknown;
