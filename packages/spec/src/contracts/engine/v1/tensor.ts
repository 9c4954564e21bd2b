/** Element types a tensor may carry; the names match onnxruntime's so conversion is free. */
export type TensorDType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'string';

export type TensorBuffer =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | readonly string[];

/** A plain tensor value that crosses the engine boundary (no engine-specific handles). */
export interface Tensor {
  readonly type: TensorDType;
  readonly dims: readonly number[];
  readonly data: TensorBuffer;
}

export type TensorMap = Record<string, Tensor>;
