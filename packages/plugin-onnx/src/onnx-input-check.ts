import type { InferenceSession } from 'onnxruntime-node';
import { InvalidInputError } from '@switchyard/spec';
import type { Tensor, TensorMap } from '@switchyard/spec';

/** An input's declared type and shape, read once from the session (shape [] = unknown). */
export interface InputSpec {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

export function readInputSpecs(session: Pick<InferenceSession, 'inputMetadata' | 'inputNames'>): InputSpec[] {
  return session.inputNames.map((name, i) => {
    const meta = session.inputMetadata[i];
    if (meta?.isTensor) return { name, type: meta.type, shape: [...meta.shape] };
    return { name, type: 'unknown', shape: [] };
  });
}

/**
 * Binds what preprocessing produced to the graph's declared inputs: a single tensor feeds a single-input graph
 * whatever either is called (mnist's `Input3`); otherwise tensors bind by name and only declared inputs are fed
 * (a tokenizer's `token_type_ids` is not given to DistilBERT). Missing names fail in checkInputs, listing the graph's.
 */
export function bindInputs(tensors: TensorMap, specs: readonly InputSpec[]): TensorMap {
  const names = Object.keys(tensors);
  if (specs.length === 1 && names.length === 1) {
    const only = specs[0]!.name;
    return names[0] === only ? tensors : { [only]: tensors[names[0]!]! };
  }
  if (names.length === specs.length && specs.every((s) => s.name in tensors)) return tensors;
  const bound: Record<string, Tensor> = {};
  for (const spec of specs) if (tensors[spec.name]) bound[spec.name] = tensors[spec.name]!;
  // Nothing matched: keep the given names so the error shows them.
  return Object.keys(bound).length ? bound : tensors;
}

const formatShape = (shape: readonly (number | string)[]): string => `[${shape.join(', ')}]`;

/**
 * Checks tensors against a stage's declared inputs: every input present, no unknown names, dtype equal, rank and
 * static dims equal. Throws INVALID_INPUT naming model, stage, input, expected and found.
 */
export function checkInputs(tensors: TensorMap, specs: readonly InputSpec[], where: { modelId: string; stage: string }): void {
  const context = `model '${where.modelId}' stage '${where.stage}'`;
  for (const spec of specs) {
    const tensor: Tensor | undefined = tensors[spec.name];
    if (!tensor) {
      throw new InvalidInputError({
        message: `${context}: missing input '${spec.name}' (expected ${spec.type} ${formatShape(spec.shape)}; the graph takes: ${specs.map((s) => s.name).join(', ')}; given: ${Object.keys(tensors).join(', ') || 'none'})`,
        modelId: where.modelId, step: where.stage, field: spec.name, expected: `${spec.type} ${formatShape(spec.shape)}`, found: 'missing',
      });
    }
    if (spec.type !== 'unknown' && tensor.type !== spec.type) {
      throw new InvalidInputError({
        message: `${context}: input '${spec.name}' has dtype ${tensor.type}, expected ${spec.type}`,
        modelId: where.modelId, step: where.stage, field: spec.name, expected: spec.type, found: tensor.type,
      });
    }
    const size = tensor.dims.reduce((a, b) => a * b, 1);
    if (size !== tensor.data.length) {
      throw new InvalidInputError({
        message: `${context}: input '${spec.name}' has dims ${formatShape(tensor.dims)} (${size} elements) but ${tensor.data.length} values`,
        modelId: where.modelId, step: where.stage, field: spec.name, expected: `${size} values`, found: `${tensor.data.length} values`,
      });
    }
    if (spec.shape.length === 0) continue;
    const mismatch =
      tensor.dims.length !== spec.shape.length ||
      spec.shape.some((dim, i) => typeof dim === 'number' && dim >= 0 && tensor.dims[i] !== dim);
    if (mismatch) {
      throw new InvalidInputError({
        message: `${context}: input '${spec.name}' has shape ${formatShape(tensor.dims)}, expected ${formatShape(spec.shape)}`,
        modelId: where.modelId, step: where.stage, field: spec.name, expected: formatShape(spec.shape), found: formatShape(tensor.dims),
      });
    }
  }
  if (Object.keys(tensors).length !== specs.length) {
    const known = new Set(specs.map((s) => s.name));
    const unknown = Object.keys(tensors).find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw new InvalidInputError({
        message: `${context}: unknown input '${unknown}' (the graph takes: ${specs.map((s) => s.name).join(', ')})`,
        modelId: where.modelId, step: where.stage, field: unknown, expected: specs.map((s) => s.name).join(', '), found: unknown,
      });
    }
  }
}
