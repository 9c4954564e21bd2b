import type { Tensor } from '@switchyard/spec';
import { InvalidInputError } from '@switchyard/spec';
import { closeMatches } from '../orchestrator/model-names.js';

/** The keys jsonTensor reads from a `{dims, data}` object; any other key is refused, never ignored. */
export const JSON_TENSOR_KEYS = ['dims', 'data', 'type'] as const;

/** What other tensor formats (numpy, ONNX, TF) call our keys, for the "did you mean" of an unknown key. */
const KEY_SYNONYMS: Readonly<Record<string, string>> = { shape: 'dims', dtype: 'type', values: 'data' };

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

/** A JSON value as a message shows it: `"x"`, `null`, `an object`, `an array of 2`. */
function described(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? String(value);
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * Why a nested array whose first value is a number is not a tensor, by JSON pointer: the first ragged row
 * (`/1 has 1 number, expected 2 like /0`) or the first value that is not a finite number (`/0/1 is "x", expected a
 * number`). Undefined when it is a tensor, or not a nested array of numbers at all (a list of strings, an object).
 */
export function nestedArrayProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  // The expected shape is the first row's, all the way down: /0, /0/0, ...
  const shape: number[] = [];
  let first: unknown = value;
  while (Array.isArray(first) && first.length > 0) {
    shape.push(first.length);
    first = first[0];
  }
  if (typeof first !== 'number') return undefined;
  const like = (depth: number): string => '/0'.repeat(depth);
  const check = (node: unknown, pointer: string, depth: number): string | undefined => {
    if (depth === shape.length) return typeof node === 'number' && Number.isFinite(node) ? undefined : `${pointer} is ${described(node)}, expected a finite number`;
    const expected = shape[depth]!;
    const noun = depth === shape.length - 1 ? 'number' : 'row';
    if (!Array.isArray(node)) return `${pointer} is ${described(node)}, expected an array of ${plural(expected, noun)} like ${like(depth)}`;
    if (node.length !== expected) return `${pointer} has ${plural(node.length, noun)}, expected ${expected} like ${like(depth)}`;
    for (let i = 0; i < node.length; i++) {
      const problem = check(node[i], `${pointer}/${i}`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  };
  return check(value, '', 0);
}

/**
 * A tensor written as JSON -> a Tensor: `{"dims":[...],"data":[...]}` (optional `"type"`, default float32) or a
 * nested numeric array (its nesting is the shape). Anything else -> undefined. A `{dims, data}` object that does not
 * add up, or has a key besides dims, data and type, is INVALID_INPUT naming `where`. Used for JSON inputs everywhere (CLI files, server `inputs.json`, apps).
 */
export function jsonTensor(value: unknown, where = 'input'): Tensor | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && 'dims' in value && 'data' in value) {
    const { dims, data, type = 'float32' } = value as { dims: unknown; data: unknown; type?: unknown };
    if (!Array.isArray(data)) return undefined; // already typed (an in-process Tensor)
    const fail = (message: string, field: string, expected: string, found: string) =>
      new InvalidInputError({ message: `${where}: ${message}`, field: `${where}.${field}`, expected, found });
    // A misspelt "dtype"/"shape" would otherwise run as float32 with the wrong layout.
    const unknown = Object.keys(value).find((key) => !(JSON_TENSOR_KEYS as readonly string[]).includes(key));
    if (unknown !== undefined) {
      const close = KEY_SYNONYMS[unknown.toLowerCase()] ?? closeMatches(unknown, JSON_TENSOR_KEYS, 1)[0];
      const hint = close !== undefined ? `; did you mean "${close}"?` : '';
      throw fail(`unknown key ${JSON.stringify(unknown)} (a JSON tensor has ${JSON_TENSOR_KEYS.join(', ')}${hint})`, unknown, JSON_TENSOR_KEYS.join(', '), unknown);
    }
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) throw fail('"dims" must be an array of non-negative integers', 'dims', 'non-negative integers', JSON.stringify(dims));
    const bad = data.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) throw fail(`/data/${bad} is ${described(data[bad])}, expected a finite number`, 'data', 'finite numbers', described(data[bad]));
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
