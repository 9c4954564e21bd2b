import type { ChainPlan, StagePlan } from './chain-plan.js';
import type { MetadataIssue } from './metadata-invalid-error.js';
import type { ModelMetadata } from './model-metadata.generated.js';
import type { PlannedStep } from './step-plan.js';
import { outputKinds, STEP_IO, type StepIo, type StepValueKind } from '../steps/step-io.js';

/** One graph input or output: its name, Tensor dtype name (`float32`, `int64`, ...) and rank. */
export interface GraphValue {
  readonly name: string;
  readonly dtype: string;
  /** undefined when the graph leaves the rank open. */
  readonly rank: number | undefined;
}

/**
 * A graph's inputs (initializers excluded) and outputs. Codegen reads it from the .onnx file, the ONNX engine from
 * its session: both hand it to stageGraphIssues, so a file is refused with the same words either way.
 */
export interface GraphSignature {
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

/** dtype of the tensor(s) a step returns, where it is fixed. */
const STEP_DTYPE: Readonly<Record<string, string>> = {
  Argmax: 'int64', Denormalize: 'float32', ImageToTensor: 'float32', MelSpectrogram: 'float32', Normalize: 'float32',
  OcrDetResize: 'float32', OcrRecBatch: 'float32', Softmax: 'float32', Tokenize: 'int64',
};
const TOKENIZE_OUTPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];

/** True when a step returns a single tensor (not a TensorMap), so it cannot feed a graph with several inputs. */
function returnsOneTensor(step: PlannedStep): boolean {
  const io = (STEP_IO as Readonly<Record<string, StepIo>>)[step.type];
  const kinds: readonly StepValueKind[] = io ? outputKinds(io) : [];
  return kinds.length > 0 && kinds.every((k) => k === 'tensor' || k === 'image');
}

const names = (values: readonly GraphValue[]): string => values.map((v) => v.name).join(', ');

/** The step that feeds a stage's graph (its own last preprocessing step, else the model's for the first stage). */
function feeder(plan: ChainPlan, stage: StagePlan): PlannedStep | undefined {
  if (stage.pre.length) return stage.pre[stage.pre.length - 1];
  return plan.stages[0] === stage ? plan.pre[plan.pre.length - 1] : undefined;
}

/** The step that reads a stage's graph outputs first. */
function reader(plan: ChainPlan, stage: StagePlan): PlannedStep | undefined {
  if (stage.post.length) return stage.post[0];
  return plan.stages[plan.stages.length - 1] === stage ? plan.post[0] : undefined;
}

/**
 * Every way a stage's metadata does not fit its graph, each located: input/output names it uses that the graph
 * lacks (stage inputs/outputs, metadata input_names/output_names, a stream's tensor names), the dtypes and ranks
 * preprocessing feeds (Tokenize int64, Normalize float32, Reshape `shape`, `metadata.input_shape`, `state_shape`),
 * and postprocessing's `dim`s and MeanPool's rank-3 input against the graph's outputs.
 */
export function stageGraphIssues(metadata: ModelMetadata, plan: ChainPlan, stage: StagePlan, graph: GraphSignature, file: string): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  const add = (issue: Omit<MetadataIssue, 'file'>): void => {
    issues.push({ file, ...issue });
  };
  const inputByName = new Map(graph.inputs.map((v) => [v.name, v]));
  const outputByName = new Map(graph.outputs.map((v) => [v.name, v]));
  const where = stage.name === undefined ? stage.modelFile : `stage '${stage.name}' (${stage.modelFile})`;
  const namesPointer = (kind: 'inputs' | 'outputs', i: number): string =>
    stage.name === undefined ? `/metadata/${kind === 'inputs' ? 'input_names' : 'output_names'}/${i}` : `${stage.pointer}/${kind}/${i}`;
  stage.inputs.forEach((name, i) => {
    if (!inputByName.has(name)) add({ pointer: namesPointer('inputs', i), message: `names no input of ${where}`, expected: `one of ${names(graph.inputs)}`, found: JSON.stringify(name) });
  });
  stage.outputs.forEach((name, i) => {
    if (!outputByName.has(name)) add({ pointer: namesPointer('outputs', i), message: `names no output of ${where}`, expected: `one of ${names(graph.outputs)}`, found: JSON.stringify(name) });
  });

  if (stage.stream) {
    const mode = stage.stream as unknown as Record<string, unknown>;
    const modePointer = `${stage.pointer}/execution_mode`;
    for (const [field, side] of [['audio_input', 'in'], ['state_input', 'in'], ['sample_rate_input', 'in'], ['output', 'out'], ['state_output', 'out']] as const) {
      const name = mode[field];
      if (typeof name !== 'string') continue;
      const pool = side === 'in' ? inputByName : outputByName;
      if (!pool.has(name)) add({ pointer: `${modePointer}/${field}`, message: `names no ${side === 'in' ? 'input' : 'output'} of ${where}`, expected: `one of ${names(side === 'in' ? graph.inputs : graph.outputs)}`, found: JSON.stringify(name) });
    }
    const state = typeof mode['state_input'] === 'string' ? inputByName.get(mode['state_input']) : undefined;
    const shape = mode['state_shape'];
    if (state?.rank !== undefined && Array.isArray(shape) && shape.length !== state.rank) {
      add({ pointer: `${modePointer}/state_shape`, message: `has rank ${shape.length} but ${where} input '${state.name}' has rank ${state.rank}`, expected: `${state.rank} dims`, found: JSON.stringify(shape) });
    }
    for (const [field, dtype] of [['audio_input', 'float32'], ['state_input', 'float32'], ['sample_rate_input', 'int64']] as const) {
      const input = typeof mode[field] === 'string' ? inputByName.get(mode[field] as string) : undefined;
      if (input && input.dtype !== dtype) add({ pointer: `${modePointer}/${field}`, message: `the stream feeds ${dtype} but ${where} input '${input.name}' is ${input.dtype}`, expected: dtype, found: input.dtype });
    }
    return issues;
  }

  // Inputs: what preprocessing feeds the graph.
  const step = feeder(plan, stage);
  const wanted = stage.inputs.length ? stage.inputs.filter((n) => inputByName.has(n)) : graph.inputs.map((v) => v.name);
  if (step?.type === 'Tokenize') {
    for (const name of wanted) {
      if (!TOKENIZE_OUTPUTS.includes(name)) add({ pointer: step.pointer, message: `returns no tensor '${name}', an input of ${where}`, expected: TOKENIZE_OUTPUTS.join(', '), found: name });
    }
  } else if (graph.inputs.length) {
    // One tensor feeds the named input, else the graph's only input (the engine binds it by position).
    const fed = stage.inputs[0] ?? graph.inputs[0]!.name;
    const input = inputByName.get(fed);
    const unfed = graph.inputs.filter((v) => v.name !== fed);
    // Without a feeding step the model input (or the stage before) may be a TensorMap: only a step is known to feed one.
    if (input && unfed.length && step && returnsOneTensor(step)) add({ pointer: step.pointer, message: `feeds one tensor, but ${where} also takes ${names(unfed)}`, expected: `a TensorMap with ${names(graph.inputs)}`, found: 'one Tensor' });
    if (input && step) {
      const dtype = STEP_DTYPE[step.type];
      if (dtype && dtype !== input.dtype) add({ pointer: step.pointer, message: `returns ${dtype} but ${where} input '${input.name}' is ${input.dtype}`, expected: input.dtype, found: dtype });
      const shape = step.type === 'Reshape' ? (step.params as { shape?: unknown }).shape : undefined;
      if (Array.isArray(shape) && input.rank !== undefined && shape.length !== input.rank) {
        add({ pointer: `${step.pointer}/shape`, message: `has rank ${shape.length} but ${where} input '${input.name}' has rank ${input.rank}`, expected: `${input.rank} dims`, found: JSON.stringify(shape) });
      }
    }
    const declared = (metadata.metadata as { input_shape?: unknown } | undefined)?.input_shape;
    if (input && stage.name === undefined && Array.isArray(declared) && input.rank !== undefined && declared.length !== input.rank) {
      add({ pointer: '/metadata/input_shape', message: `has rank ${declared.length} but ${where} input '${input.name}' has rank ${input.rank}`, expected: `${input.rank} dims`, found: JSON.stringify(declared) });
    }
  }
  if (step?.type === 'Tokenize') {
    for (const name of wanted) {
      const input = inputByName.get(name);
      if (input && TOKENIZE_OUTPUTS.includes(name) && input.dtype !== 'int64') add({ pointer: step.pointer, message: `returns int64 '${name}' but ${where} takes ${input.dtype}`, expected: input.dtype, found: 'int64' });
    }
  }

  // Outputs: what postprocessing reads first.
  const read = reader(plan, stage);
  const output = stage.outputs.length ? outputByName.get(stage.outputs[0]!) : graph.outputs.length === 1 ? graph.outputs[0] : read?.type === 'MeanPool' ? outputByName.get('last_hidden_state') : undefined;
  if (!read || !output || output.rank === undefined) return issues;
  if (read.type === 'MeanPool' && output.rank !== 3) {
    add({ pointer: read.pointer, message: `pools rank-3 hidden states but ${where} output '${output.name}' has rank ${output.rank}`, expected: 'rank 3 [batch, sequence, hidden]', found: `rank ${output.rank}` });
  }
  const dim = (read.params as { dim?: unknown }).dim;
  if (['Softmax', 'TopK', 'Argmax', 'MeanPool'].includes(read.type) && typeof dim === 'number' && (dim >= output.rank || dim < -output.rank)) {
    add({ pointer: `${read.pointer}/dim`, message: `is out of range for ${where} output '${output.name}' of rank ${output.rank}`, expected: `-${output.rank} .. ${output.rank - 1}`, found: String(dim) });
  }
  return issues;
}

/**
 * stageGraphIssues for every enabled stage whose graph `graphOf` can describe (undefined = not checked, e.g. a
 * graph fetched from a url at run time).
 */
export function modelGraphIssues(metadata: ModelMetadata, plan: ChainPlan, graphOf: (stage: StagePlan) => GraphSignature | undefined, file: string): MetadataIssue[] {
  return plan.stages.flatMap((stage) => {
    const graph = graphOf(stage);
    return graph ? stageGraphIssues(metadata, plan, stage, graph, file) : [];
  });
}
