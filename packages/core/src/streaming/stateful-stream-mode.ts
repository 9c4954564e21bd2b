/**
 * Our `execution_mode` extension `{type: "StatefulStream", ...}`: a graph run once per fixed window of samples,
 * with a recurrent state tensor carried from call to call (Silero VAD v5 is the reference model).
 */
export interface StatefulStreamMode {
  readonly type: 'StatefulStream';
  readonly sample_rate: number;
  /** New samples per call. */
  readonly window_size: number;
  /** Trailing samples of the previous call prepended to each window (Silero v5: 64 at 16 kHz). */
  readonly context_size?: number;
  readonly audio_input?: string;
  /** Scalar int64 input that receives `sample_rate`; omit for graphs without one. */
  readonly sample_rate_input?: string;
  readonly state_input?: string;
  readonly state_output?: string;
  readonly state_shape: readonly number[];
  /** The per-window output (a probability for VAD). */
  readonly output?: string;
  /** Bound on samples waiting to be processed; a push past it is refused with STREAM_OVERFLOW. */
  readonly max_buffered_samples?: number;
}
