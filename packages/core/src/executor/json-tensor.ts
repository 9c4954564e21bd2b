import type { Tensor } from '@switchyard/spec';
import { InvalidInputError } from '@switchyard/spec';

const TYPED: Readonly<Record<string, (values: number[]) => Tensor['data']>> = {
  float32: (v) => Float32Array.from(v),
  float64: (v) => Float64Array.from(v),
  int8: (v) => Int8Array.from(v),
  uint8: (v) => Uint8Array.from(v),
  int16: (v) => Int16Array.from(v),
  int32: (v) => Int32Array.from(v),
  int64: (v) => BigInt64Array.from(v, (x) => BigInt(Math.trunc(x))),
};

/** Shape of a nested numeric array (`[[1, 2], [3, 4]]` -> [2, 2]); undefined when ragged, empty or not numeric. */
function nestedShape(value: unknown): number[] | undefined {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const inner = nestedShape(value[0]);
  if (!inner) return undefined;
  for (let i = 1; i < value.length; i++) {
    const shape = nestedShape(value[i]);
    if (!shape || shape.length !== inner.length || shape.some((d, k) => d !== inner[k])) return undefined;
  }
  return [value.length, ...inner];
}

/**
 * A tensor written as JSON -> a Tensor: `{"dims":[...],"data":[...]}` (optional `"type"`, default float32) or a
 * nested numeric array (its nesting is the shape). Anything else -> undefined. A `{dims, data}` object that does not
 * add up is INVALID_INPUT naming `where`. Used for JSON inputs everywhere (CLI files, server `inputs.json`, apps).
 */
export function jsonTensor(value: unknown, where = 'input'): Tensor | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && 'dims' in value && 'data' in value) {
    const { dims, data, type = 'float32' } = value as { dims: unknown; data: unknown; type?: unknown };
    if (!Array.isArray(data)) return undefined; // already typed (an in-process Tensor)
    const fail = (message: string, field: string, expected: string, found: string) =>
      new InvalidInputError({ message: `${where}: ${message}`, field: `${where}.${field}`, expected, found });
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) throw fail('"dims" must be an array of non-negative integers', 'dims', 'non-negative integers', JSON.stringify(dims));
    if (!data.every((v) => typeof v === 'number' && Number.isFinite(v))) throw fail('"data" must be an array of finite numbers', 'data', 'numbers', 'a non-number');
    const convert = typeof type === 'string' ? TYPED[type] : undefined;
    if (!convert) throw fail(`unsupported "type" ${JSON.stringify(type)}`, 'type', Object.keys(TYPED).join(', '), String(type));
    const size = (dims as number[]).reduce((a, b) => a * b, 1);
    if (size !== data.length) throw fail(`"dims" [${dims.join(', ')}] hold ${size} values but "data" has ${data.length}`, 'data', `${size} values`, `${data.length}`);
    return { type: type as Tensor['type'], dims: dims as number[], data: convert(data as number[]) };
  }
  const shape = nestedShape(value);
  if (!shape || shape.length === 0) return undefined;
  return { type: 'float32', dims: shape, data: Float32Array.from((value as unknown[]).flat(Infinity) as number[]) };
}
