import { InvalidInputError, SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { Tensor, TensorMap } from '@switchyard/spec';

/** `IterativeRefinement {num_steps, schedule}` (xybrid's diffusion-style mode), with our input/output naming fields. */
export interface IterativeRefinementMode {
  readonly type: 'IterativeRefinement';
  readonly num_steps: number;
  readonly schedule?: { readonly type: 'Linear' } | { readonly type: 'Cosine' } | { readonly type: 'Custom'; readonly timesteps: readonly number[] };
  readonly sample_input?: string;
  readonly timestep_input?: string;
  readonly sample_output?: string;
}

/**
 * The timestep of each iteration, from 1 (pure noise) toward 0: Linear t_i = 1 - i/N, Cosine t_i = cos(pi/2 * i/N),
 * Custom = the list as given (its length must be num_steps). xybrid declares these schedules but does not run them.
 */
export function refinementTimesteps(mode: IterativeRefinementMode, where: string): number[] {
  const n = mode.num_steps;
  const schedule = mode.schedule ?? { type: 'Linear' };
  switch (schedule.type) {
    case 'Linear':
      return Array.from({ length: n }, (_, i) => 1 - i / n);
    case 'Cosine':
      return Array.from({ length: n }, (_, i) => Math.cos((Math.PI / 2) * (i / n)));
    case 'Custom':
      if (schedule.timesteps.length !== n) {
        throw new SwitchyardError({
          code: 'METADATA_INVALID',
          message: `${where}: execution_mode/schedule/timesteps has ${schedule.timesteps.length} values but num_steps is ${n}`,
          details: { pointer: 'execution_mode/schedule/timesteps', expected: `${n} timesteps`, found: schedule.timesteps.length },
        });
      }
      return [...schedule.timesteps];
    default:
      throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${where}: unknown refinement schedule '${(schedule as { type: string }).type}'`, details: { pointer: 'execution_mode/schedule/type' } });
  }
}

/**
 * Runs a graph num_steps times: each run gets the current sample (first the given tensor) and the step's timestep
 * (float32 [1]) and its `sample_output` becomes the next sample; other given inputs are passed to every run.
 * Returns the last run's outputs.
 */
export async function runIterativeRefinement(
  mode: IterativeRefinementMode,
  tensors: TensorMap,
  graph: { readonly inputNames: readonly string[]; readonly outputNames: readonly string[]; readonly where: string },
  run: (feeds: TensorMap) => Promise<TensorMap>,
  signal: AbortSignal,
): Promise<TensorMap> {
  const timestepInput = mode.timestep_input ?? 'timestep';
  const hasTimestep = graph.inputNames.includes(timestepInput);
  const sampleInput = mode.sample_input ?? graph.inputNames.find((n) => n !== timestepInput);
  const sampleOutput = mode.sample_output ?? graph.outputNames[0];
  if (!sampleInput || !graph.inputNames.includes(sampleInput) || !sampleOutput || !graph.outputNames.includes(sampleOutput)) {
    throw new InvalidInputError({
      message: `${graph.where}: IterativeRefinement needs a sample input and output (inputs: ${graph.inputNames.join(', ')}; outputs: ${graph.outputNames.join(', ')}; sample_input: ${sampleInput ?? 'none'}, sample_output: ${sampleOutput ?? 'none'})`,
      field: 'execution_mode/sample_input', expected: graph.inputNames.join(', '), found: sampleInput ?? 'none',
    });
  }
  const given = Object.values(tensors);
  let sample: Tensor | undefined = tensors[sampleInput] ?? (given.length === 1 ? given[0] : undefined);
  if (!sample) {
    throw new InvalidInputError({ message: `${graph.where}: give the initial sample as '${sampleInput}' (given: ${Object.keys(tensors).join(', ') || 'none'})`, field: sampleInput, found: Object.keys(tensors).join(', ') });
  }
  let outputs: TensorMap = { [sampleOutput]: sample };
  for (const t of refinementTimesteps(mode, graph.where)) {
    throwIfAborted(signal, graph.where);
    const feeds: Record<string, Tensor> = { ...tensors, [sampleInput]: sample };
    if (hasTimestep) feeds[timestepInput] = { type: 'float32', dims: [1], data: Float32Array.of(t) };
    outputs = await run(feeds);
    sample = outputs[sampleOutput]!;
  }
  return outputs;
}
