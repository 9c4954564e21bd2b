import * as ort from 'onnxruntime-node';
import type { Tensor, TensorMap } from '@switchyard/spec';

/** Our plain tensor -> onnxruntime tensor (no copy: the dtype names match onnxruntime's). */
export function toOrtTensor(tensor: Tensor): ort.Tensor {
  return new ort.Tensor(tensor.type as ort.Tensor.Type, tensor.data as ort.Tensor.DataType, tensor.dims as number[]);
}

/** onnxruntime tensor -> our plain tensor (no copy). */
export function fromOrtTensor(tensor: ort.Tensor): Tensor {
  return { type: tensor.type as Tensor['type'], dims: [...tensor.dims], data: tensor.data as Tensor['data'] };
}

export function fromOrtTensors(outputs: ort.InferenceSession.OnnxValueMapType, names?: readonly string[]): TensorMap {
  const result: TensorMap = {};
  for (const name of names ?? Object.keys(outputs)) {
    const value = outputs[name];
    if (value) result[name] = fromOrtTensor(value as ort.Tensor);
  }
  return result;
}

export function int64Tensor(values: readonly number[], dims: readonly number[]): ort.Tensor {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', data, dims as number[]);
}

/** Reads an integer tensor's values as numbers (int64 via Number). */
export function tensorToNumbers(tensor: Tensor): number[] {
  const out: number[] = [];
  const data = tensor.data as ArrayLike<number | bigint | string>;
  for (let i = 0; i < data.length; i++) out.push(Number(data[i]));
  return out;
}

/** A zero-filled tensor of the given element type. */
export function zeroTensor(type: ort.Tensor.Type, dims: readonly number[]): ort.Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  switch (type) {
    case 'float32':
      return new ort.Tensor(type, new Float32Array(size), dims as number[]);
    case 'float64':
      return new ort.Tensor(type, new Float64Array(size), dims as number[]);
    case 'int64':
      return new ort.Tensor(type, new BigInt64Array(size), dims as number[]);
    case 'int32':
      return new ort.Tensor(type, new Int32Array(size), dims as number[]);
    case 'float16':
    case 'uint16':
      return new ort.Tensor(type, new Uint16Array(size), dims as number[]);
    case 'int16':
      return new ort.Tensor(type, new Int16Array(size), dims as number[]);
    case 'int8':
      return new ort.Tensor(type, new Int8Array(size), dims as number[]);
    case 'uint8':
    case 'bool':
      return new ort.Tensor(type, new Uint8Array(size), dims as number[]);
    default:
      throw new Error(`cannot make a zero tensor of type ${type}`);
  }
}
