import type { EngineV1, TensorMap, TensorRunner } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';

/**
 * TensorRunner over an engine's doRun that records when inference started/ended, so a pipeline run's duration splits
 * into preprocess (before the first graph), infer (inside graphs) and postprocess (after the last one).
 */
export class TimedTensorRunner implements TensorRunner {
  firstStart?: number;
  lastEnd?: number;
  inferMs = 0;

  constructor(
    private readonly engine: EngineV1,
    private readonly modelId: string,
    private readonly correlationId: string | undefined,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  async run(stage: string | undefined, feeds: TensorMap, signal: AbortSignal): Promise<TensorMap> {
    const start = this.now();
    this.firstStart ??= start;
    try {
      const result = await this.engine.doRun(
        {
          modelId: this.modelId,
          workload: 'inference',
          input: stage === undefined ? { kind: 'tensors', tensors: feeds } : { kind: 'tensors', tensors: feeds, stage },
          ...(this.correlationId !== undefined ? { correlationId: this.correlationId } : {}),
        },
        signal,
      );
      if (result.output.kind !== 'tensors') {
        throw new SwitchyardError({
          code: 'INVALID_INPUT',
          message: `Engine '${this.engine.id}' returned '${result.output.kind}' for a tensor run of '${this.modelId}'`,
          details: { engine: this.engine.id, model: this.modelId, stage, expected: 'tensors', found: result.output.kind },
        });
      }
      return result.output.tensors;
    } finally {
      const end = this.now();
      this.inferMs += end - start;
      this.lastEnd = end;
    }
  }
}
