import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { findPackageRoot, stageGraphIssues, type ChainPlan, type GraphSignature, type GraphValue, type MetadataIssue, type ModelMetadata } from '@switchyard/core';

export type { GraphSignature } from '@switchyard/core';

const require = createRequire(import.meta.url);
// onnx-proto is CommonJS (protobufjs static code): the ONNX ModelProto schema, decoded for real.
const { onnx } = require('onnx-proto') as typeof import('onnx-proto');

/** ONNX TensorProto.DataType -> the Tensor dtype names Switchyard uses. */
const ONNX_DTYPES: Readonly<Record<number, string>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};

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

/**
 * Every file the metadata lists must be found; every graph that can be opened is checked by core's stageGraphIssues
 * (the ONNX engine runs the same check on its sessions at load).
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
    issues.push(...stageGraphIssues(metadata, plan, stage, graph, folder.file));
  }
  return issues;
}
