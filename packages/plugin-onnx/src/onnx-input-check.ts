import type { InferenceSession } from 'onnxruntime-node';
import { InvalidInputError } from '@switchyard/core';
import type { Tensor, TensorMap } from '@switchyard/core';

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
        message: `${context}: missing input '${spec.name}' (expected ${spec.type} ${formatShape(spec.shape)}; given: ${Object.keys(tensors).join(', ') || 'none'})`,
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
