import type { Target } from '@switchyard/spec';

/** One concrete place to run: an engine, a model id it understands and where it runs. */
export interface ExecutionTarget {
  readonly engine: string;
  readonly model: string;
  readonly target: Target;
}

export function describeTarget(target: ExecutionTarget): string {
  return `${target.engine}:${target.model}`;
}
