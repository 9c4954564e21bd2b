import type { Tensor } from '@switchyard/spec';
import { stepInputError } from './step-errors.js';
import type { StepEnvironment } from './step-kernel.js';

/** Where the channel axis of an image tensor is; `interleaved` = element i has channel i % C (xybrid's rule). */
export type ChannelLayout = 'NCHW' | 'NHWC' | 'CHW' | 'HWC' | 'interleaved';

/**
 * Finds the channel axis for `channels` per-channel constants: an explicit layout wins; otherwise channel-first
 * is preferred when dims allow it. Returns the stride pattern: element i has channel floor(i / inner) % channels.
 */
export function channelGeometry(tensor: Tensor, channels: number, env: StepEnvironment, layout?: ChannelLayout): { inner: number } {
  const dims = tensor.dims;
  // A flat or [rows, C] tensor holds interleaved pixels (HWC order): channel i % C, as xybrid computes it everywhere.
  if (channels === 1 || layout === 'interleaved' || (!layout && dims.length <= 2)) return { inner: 1 };
  const candidates: readonly ChannelLayout[] = layout ? [layout] : dims.length === 4 ? ['NCHW', 'NHWC'] : dims.length === 3 ? ['CHW', 'HWC'] : [];
  for (const candidate of candidates) {
    const axis = candidate === 'NCHW' ? 1 : candidate === 'NHWC' ? 3 : candidate === 'CHW' ? 0 : 2;
    if (dims.length === candidate.length && dims[axis] === channels) {
      let inner = 1;
      for (let d = axis + 1; d < dims.length; d++) inner *= dims[d]!;
      return { inner };
    }
  }
  throw stepInputError(env, `cannot find a channel axis of size ${channels}`, {
    expected: layout ? `${layout} with ${channels} channels` : `NCHW/NHWC/CHW/HWC with ${channels} channels`,
    found: `[${dims.join(', ')}]`,
  });
}
