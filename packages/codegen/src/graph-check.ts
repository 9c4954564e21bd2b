import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { findPackageRoot, type MetadataIssue, type ModelMetadata, type PlannedStep } from '@switchyard/core';
import type { ChainPlan, StagePlan } from '@switchyard/core';

const require = createRequire(import.meta.url);
// onnx-proto is CommonJS (protobufjs static code): the ONNX ModelProto schema, decoded for real.
const { onnx } = require('onnx-proto') as typeof import('onnx-proto');

/** ONNX TensorProto.DataType -> the Tensor dtype names Switchyard uses. */
const ONNX_DTYPES: Readonly<Record<number, string>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

/** dtype of the tensor(s) a step returns, where it is fixed. */
const STEP_DTYPE: Readonly<Record<string, string>> = {
  Argmax: 'int64', Denormalize: 'float32', ImageToTensor: 'float32', MelSpectrogram: 'float32', Normalize: 'float32',
  OcrDetResize: 'float32', OcrRecBatch: 'float32', Softmax: 'float32', Tokenize: 'int64',
};
const TOKENIZE_OUTPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];

interface GraphValue {
  readonly name: string;
  readonly dtype: string;
  /** undefined when the graph leaves the rank open. */
  readonly rank: number | undefined;
}

export interface GraphSignature {
  readonly inputs: readonly GraphValue[];
  readonly outputs: readonly GraphValue[];
}

/** Reads a .onnx file's graph inputs (initializers excluded) and outputs. */
export function readGraphSignature(path: string): GraphSignature {
  const model = onnx.ModelProto.decode(readFileSync(path));
  const graph = model.graph;
  if (!graph) throw new Error('the file holds no graph');
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name));
  const value = (v: import('onnx-proto').onnx.IValueInfoProto): GraphValue => {
    const tensor = v.type?.tensorType;
    const dims = tensor?.shape?.dim;
    return { name: v.name ?? '', dtype: ONNX_DTYPES[tensor?.elemType ?? 0] ?? `onnx type ${tensor?.elemType ?? '?'}`, rank: dims ? dims.length : undefined };
  };
  return {
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(value),
    outputs: (graph.output ?? []).map(value),
  };
}

const names = (values: readonly GraphValue[]): string => values.map((v) => v.name).join(', ');
const escape = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ModelFolder {
  /** Absolute model folder. */
  readonly root: string;
  /** model_metadata.json as shown in messages. */
  readonly file: string;
}

/**
 * Where a listed file is on disk: in the model folder, or at its source (`{npm, path}` from the folder's
 * node_modules, `{path}` relative to the folder). `undefined` path = not found, with the reason; `{url}` sources
 * are not fetched, so their graphs are not checked.
 */
function locate(metadata: ModelMetadata, folder: ModelFolder, name: string): { path?: string; issue?: Omit<MetadataIssue, 'file'>; remote?: true } {
  const local = join(folder.root, name);
  if (existsSync(local) && statSync(local).isFile()) return { path: local };
  const source = (metadata.sources ?? {})[name] as { npm?: string; path?: string; url?: string } | undefined;
  const pointer = `/sources/${escape(name)}`;
  if (!source) {
    const index = (metadata.files ?? []).indexOf(name);
    return { issue: { pointer: index >= 0 ? `/files/${index}` : '/files', message: 'is not in the model folder and has no source', expected: `a file ${name} next to model_metadata.json, or /sources/${name}`, found: 'nothing' } };
  }
  if (source.url !== undefined) return { remote: true };
  if (source.npm !== undefined) {
    const root = findPackageRoot(source.npm, [folder.root]);
    if (!root) return { issue: { pointer: `${pointer}/npm`, message: 'names an npm package that is not installed', expected: `${source.npm} installed where the model folder can resolve it`, found: 'not installed' } };
    const path = join(root, source.path ?? '');
    if (!existsSync(path)) return { issue: { pointer: `${pointer}/path`, message: `is not a file of npm package ${source.npm}`, expected: 'a file in the package', found: JSON.stringify(source.path) } };
    return { path };
  }
  if (source.path !== undefined) {
    const path = isAbsolute(source.path) ? source.path : resolve(folder.root, source.path);
    if (!existsSync(path)) return { issue: { pointer: `${pointer}/path`, message: 'is not a file', expected: 'an existing file', found: JSON.stringify(source.path) } };
    return { path };
  }
  return {};
}

/** The step that feeds a stage's graph (its own last preprocessing step, else the model's for the first stage). */
function feeder(plan: ChainPlan, stage: StagePlan): PlannedStep | undefined {
  if (stage.pre.length) return stage.pre[stage.pre.length - 1];
  return plan.stages[0] === stage ? plan.pre[plan.pre.length - 1] : undefined;
}

/** The steps that read a stage's graph outputs first. */
function reader(plan: ChainPlan, stage: StagePlan): PlannedStep | undefined {
  if (stage.post.length) return stage.post[0];
  return plan.stages[plan.stages.length - 1] === stage ? plan.post[0] : undefined;
}

/**
 * Every file the metadata lists must be found; every graph that can be opened must have the inputs and outputs the
 * metadata names, with the dtypes and ranks its steps produce and expect.
 */
export function graphIssues(metadata: ModelMetadata, plan: ChainPlan, folder: ModelFolder): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  const add = (issue: Omit<MetadataIssue, 'file'>): void => {
    issues.push({ file: folder.file, ...issue });
  };
  const located = new Map<string, string | undefined>();
  for (const name of metadata.files ?? []) {
    const found = locate(metadata, folder, name);
    if (found.issue) add(found.issue);
    located.set(name, found.path);
  }
  for (const stage of plan.stages) {
    const path = located.get(stage.modelFile);
    if (!path || !stage.modelFile.endsWith('.onnx')) continue;
    let graph: GraphSignature;
    try {
      graph = readGraphSignature(path);
    } catch (error) {
      add({ pointer: `${stage.pointer}/model_file`, message: `is not a readable ONNX model: ${(error as Error).message}`, expected: 'an ONNX ModelProto', found: stage.modelFile });
      continue;
    }
    checkStage(metadata, plan, stage, graph, add);
  }
  return issues;
}

function checkStage(metadata: ModelMetadata, plan: ChainPlan, stage: StagePlan, graph: GraphSignature, add: (issue: Omit<MetadataIssue, 'file'>) => void): void {
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
    return;
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
    if (input && unfed.length) add({ pointer: step?.pointer ?? stage.pointer, message: `feeds one tensor, but ${where} also takes ${names(unfed)}`, expected: `a TensorMap with ${names(graph.inputs)}`, found: 'one Tensor' });
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
  if (!read || !output || output.rank === undefined) return;
  if (read.type === 'MeanPool' && output.rank !== 3) {
    add({ pointer: read.pointer, message: `pools rank-3 hidden states but ${where} output '${output.name}' has rank ${output.rank}`, expected: 'rank 3 [batch, sequence, hidden]', found: `rank ${output.rank}` });
  }
  const dim = (read.params as { dim?: unknown }).dim;
  if (['Softmax', 'TopK', 'Argmax', 'MeanPool'].includes(read.type) && typeof dim === 'number' && (dim >= output.rank || dim < -output.rank)) {
    add({ pointer: `${read.pointer}/dim`, message: `is out of range for ${where} output '${output.name}' of rank ${output.rank}`, expected: `-${output.rank} .. ${output.rank - 1}`, found: String(dim) });
  }
}
