import type { Tensor } from '@switchyard/spec';
import { stepInputError } from './step-errors.js';
import type { StepEnvironment } from './step-kernel.js';
import { float32Tensor, toFloat32 } from './step-tensor.js';

/** Where the channel axis of an image tensor is: channel-first (NCHW / CHW) or channel-last (NHWC / HWC). */
export type ImageTensorLayout = 'NCHW' | 'NHWC';

interface ImageTensorShape {
  readonly layout: ImageTensorLayout;
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

const CHANNEL_COUNTS = new Set([1, 3, 4]);

/**
 * Reads an image tensor's geometry. Rank 4 (N,C,H,W / N,H,W,C) or 3 (C,H,W / H,W,C); the layout comes from the
 * `layout` field when given, else from the shape: channel-last when the last axis is 1, 3 or 4 and smaller than
 * the first (HWC), channel-first otherwise (as xybrid assumes).
 */
export function imageTensorShape(tensor: Tensor, env: StepEnvironment, layout?: ImageTensorLayout): ImageTensorShape {
  const dims = tensor.dims;
  if (dims.length !== 3 && dims.length !== 4) {
    throw stepInputError(env, 'expects an image tensor of rank 3 or 4', { expected: 'NCHW, NHWC, CHW or HWC', found: `[${dims.join(', ')}]` });
  }
  const [n, rest] = dims.length === 4 ? [dims[0]!, dims.slice(1)] : [1, dims];
  const channelLast = CHANNEL_COUNTS.has(rest[2]!) && rest[2]! < rest[0]!;
  const chosen = layout ?? (channelLast ? 'NHWC' : 'NCHW');
  return chosen === 'NCHW'
    ? { layout: chosen, batch: n, channels: rest[0]!, height: rest[1]!, width: rest[2]! }
    : { layout: chosen, batch: n, channels: rest[2]!, height: rest[0]!, width: rest[1]! };
}

function outDims(tensor: Tensor, shape: ImageTensorShape, height: number, width: number): number[] {
  const hw = shape.layout === 'NCHW' ? [shape.channels, height, width] : [height, width, shape.channels];
  return tensor.dims.length === 4 ? [shape.batch, ...hw] : hw;
}

/** Element index of (n, c, y, x) in a tensor of the given geometry. */
function indexer(shape: ImageTensorShape, height: number, width: number): (n: number, c: number, y: number, x: number) => number {
  const { channels } = shape;
  return shape.layout === 'NCHW'
    ? (n, c, y, x) => ((n * channels + c) * height + y) * width + x
    : (n, c, y, x) => ((n * height + y) * width + x) * channels + c;
}

/** Cuts height x width out of the middle (offsets rounded down, like torchvision's center_crop on even sizes). */
export function centerCropTensor(tensor: Tensor, height: number, width: number, env: StepEnvironment, layout?: ImageTensorLayout): Tensor {
  const shape = imageTensorShape(tensor, env, layout);
  if (shape.height < height || shape.width < width) {
    throw stepInputError(env, 'tensor is smaller than the crop (add a Resize step first)', { expected: `at least ${width}x${height}`, found: `${shape.width}x${shape.height} (${shape.layout})` });
  }
  const top = Math.floor((shape.height - height) / 2);
  const left = Math.floor((shape.width - width) / 2);
  const src = tensor.data as ArrayLike<number>;
  const from = indexer(shape, shape.height, shape.width);
  const to = indexer(shape, height, width);
  const out = new Float32Array(shape.batch * shape.channels * height * width);
  for (let n = 0; n < shape.batch; n++)
    for (let c = 0; c < shape.channels; c++)
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) out[to(n, c, y, x)] = Number(src[from(n, c, top + y, left + x)]);
  return float32Tensor(out, outDims(tensor, shape, height, width));
}

/** Cubic convolution weight (a = -0.75, as PyTorch's bicubic). */
function cubic(t: number): number {
  const a = -0.75;
  const x = Math.abs(t);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/**
 * Resizes an image tensor in float, as torch.nn.functional.interpolate (align_corners=False, no antialias):
 * Bilinear / Bicubic sample at half-pixel centres (borders clamped); Nearest takes floor(dst · in / out).
 */
export function resizeTensor(
  tensor: Tensor,
  height: number,
  width: number,
  interpolation: 'Bilinear' | 'Nearest' | 'Bicubic',
  env: StepEnvironment,
  layout?: ImageTensorLayout,
): Tensor {
  const shape = imageTensorShape(tensor, env, layout);
  const x = toFloat32(tensor, env);
  const from = indexer(shape, shape.height, shape.width);
  const to = indexer(shape, height, width);
  const sy = shape.height / height;
  const sx = shape.width / width;
  const clampY = (v: number): number => Math.min(shape.height - 1, Math.max(0, v));
  const clampX = (v: number): number => Math.min(shape.width - 1, Math.max(0, v));
  const out = new Float32Array(shape.batch * shape.channels * height * width);
  for (let n = 0; n < shape.batch; n++)
    for (let c = 0; c < shape.channels; c++)
      for (let oy = 0; oy < height; oy++)
        for (let ox = 0; ox < width; ox++) {
          let value: number;
          if (interpolation === 'Nearest') {
            value = x[from(n, c, Math.min(shape.height - 1, Math.floor(oy * sy)), Math.min(shape.width - 1, Math.floor(ox * sx)))]!;
          } else {
            const fy = (oy + 0.5) * sy - 0.5;
            const fx = (ox + 0.5) * sx - 0.5;
            if (interpolation === 'Bilinear') {
              const cy = Math.max(0, fy), cx = Math.max(0, fx);
              const y0 = Math.min(Math.floor(cy), shape.height - 1), x0 = Math.min(Math.floor(cx), shape.width - 1);
              const y1 = Math.min(y0 + 1, shape.height - 1), x1 = Math.min(x0 + 1, shape.width - 1);
              const dy = cy - y0, dx = cx - x0;
              value =
                (1 - dy) * ((1 - dx) * x[from(n, c, y0, x0)]! + dx * x[from(n, c, y0, x1)]!) +
                dy * ((1 - dx) * x[from(n, c, y1, x0)]! + dx * x[from(n, c, y1, x1)]!);
            } else {
              const y0 = Math.floor(fy), x0 = Math.floor(fx);
              value = 0;
              for (let i = -1; i <= 2; i++) {
                const wy = cubic(fy - (y0 + i));
                for (let j = -1; j <= 2; j++) value += wy * cubic(fx - (x0 + j)) * x[from(n, c, clampY(y0 + i), clampX(x0 + j))]!;
              }
            }
          }
          out[to(n, c, oy, ox)] = value;
        }
  return float32Tensor(out, outDims(tensor, shape, height, width));
}

export function isTensorValue(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'dims' in value && 'data' in value && 'type' in value;
}
