import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@switchyard/spec';
import { jsonTensor } from './json-tensor.js';

describe('jsonTensor', () => {
  it('reads {dims, data, type}', () => {
    expect(jsonTensor({ dims: [2], data: [1, 2], type: 'int32' })).toEqual({ type: 'int32', dims: [2], data: Int32Array.of(1, 2) });
  });

  it('passes an in-process Tensor (typed data) through as not-JSON', () => {
    expect(jsonTensor({ type: 'float32', dims: [1], data: Float32Array.of(1), extra: true })).toBeUndefined();
  });

  // Regression: "dtype"/"shape" were ignored and the tensor ran as float32 with only "dims" for a shape.
  it.each([
    [{ dims: [2], data: [1, 2], dtype: 'bogus' }, 'dtype', 'input: unknown key "dtype" (a JSON tensor has dims, data, type; did you mean "type"?)'],
    [{ dims: [2], data: [1, 2], shape: [5] }, 'shape', 'input: unknown key "shape" (a JSON tensor has dims, data, type; did you mean "dims"?)'],
    [{ dims: [2], data: [1, 2], tpye: 'int8' }, 'tpye', 'input: unknown key "tpye" (a JSON tensor has dims, data, type; did you mean "type"?)'],
    [{ dims: [2], data: [1, 2], name: 'x' }, 'name', 'input: unknown key "name" (a JSON tensor has dims, data, type)'],
  ])('refuses an unknown key: %j', (value, key, message) => {
    let error: unknown;
    try {
      jsonTensor(value);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).message).toBe(message);
    expect((error as InvalidInputError).details).toMatchObject({ field: `input.${key}`, expected: 'dims, data, type', found: key });
  });

  it('names the caller\'s location', () => {
    expect(() => jsonTensor({ dims: [1], data: [1], dtype: 'float32' }, 'inputs.json')).toThrow('inputs.json: unknown key "dtype"');
  });
});
