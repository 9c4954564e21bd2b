import { GRAPH_IO, kindAccepted, outputKinds, STEP_IO, type StepIo, type StepValueKind } from '../steps/step-io.js';
import type { MetadataIssue } from './metadata-invalid-error.js';
import type * as ModelMetadataTypes from './model-metadata.generated.js';
import type { ModelMetadata } from './model-metadata.generated.js';
import { planStageSteps, planTopLevelSteps, type PlannedStep } from './step-plan.js';

/** One graph run of a model: a ModelGraph stage, or the single graph of an Onnx/SimpleMode template. */
export interface StagePlan {
  /** Stage name; undefined for a single-graph template. */
  readonly name: string | undefined;
  readonly index: number;
  /** JSON pointer of the stage (or of the template). */
  readonly pointer: string;
  readonly modelFile: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly batchSize: number | undefined;
  readonly stream: ModelMetadataTypes.StatefulStreamMode | undefined;
  readonly pre: readonly PlannedStep[];
  readonly post: readonly PlannedStep[];
}

/** A model's run order with disabled stages left out: model pre, each enabled stage, model post. */
export interface ChainPlan {
  readonly pre: readonly PlannedStep[];
  readonly stages: readonly StagePlan[];
  readonly post: readonly PlannedStep[];
  /** Stages with config.enabled = false (not run, not emitted). */
  readonly disabled: readonly { readonly name: string; readonly index: number }[];
}

export function planChain(metadata: ModelMetadata): ChainPlan {
  const t = metadata.execution_template;
  const stages: StagePlan[] = [];
  const disabled: { name: string; index: number }[] = [];
  if (t.type === 'ModelGraph') {
    t.stages.forEach((stage, index) => {
      const config = stage.config ?? {};
      if (config.enabled === false) {
        disabled.push({ name: stage.name, index });
        return;
      }
      const mode = stage.execution_mode;
      stages.push({
        name: stage.name,
        index,
        pointer: `/execution_template/stages/${index}`,
        modelFile: stage.model_file,
        inputs: stage.inputs ?? [],
        outputs: stage.outputs ?? [],
        batchSize: config.batch_size,
        stream: mode?.type === 'StatefulStream' ? mode : undefined,
        pre: planStageSteps(stage, index, 'preprocessing'),
        post: planStageSteps(stage, index, 'postprocessing'),
      });
    });
  } else if ('model_file' in t) {
    const names = metadata.metadata as { input_names?: string[]; output_names?: string[] } | undefined;
    stages.push({
      name: undefined,
      index: 0,
      pointer: '/execution_template',
      modelFile: t.model_file,
      inputs: names?.input_names ?? [],
      outputs: names?.output_names ?? [],
      batchSize: undefined,
      stream: undefined,
      pre: [],
      post: [],
    });
  }
  return { pre: planTopLevelSteps(metadata, 'preprocessing'), stages, post: planTopLevelSteps(metadata, 'postprocessing'), disabled };
}

export function allPlannedSteps(plan: ChainPlan): PlannedStep[] {
  return [...plan.pre, ...plan.stages.flatMap((s) => [...s.pre, ...s.post]), ...plan.post];
}

function stepIo(type: string): StepIo | undefined {
  return (STEP_IO as Readonly<Record<string, StepIo>>)[type];
}

/** What the model's first step (or its graph) takes. */
export function chainInputKinds(plan: ChainPlan): readonly StepValueKind[] {
  const first = plan.pre[0] ?? plan.stages[0]?.pre[0];
  if (first) return stepIo(first.type)?.input ?? [];
  return plan.stages[0]?.stream ? GRAPH_IO.stream.input : GRAPH_IO.input;
}

const list = (kinds: readonly StepValueKind[]): string => kinds.join(' | ');

/**
 * Checks each step's input kind against what the step before it returns (STEP_IO), and each graph's input against
 * what preprocessing returns. One located issue per broken link; checking goes on with the step's declared output.
 * The one chain check: validateModelMetadata runs it, so codegen and the interpreter refuse the same files alike.
 */
export function chainIssues(plan: ChainPlan, file: string): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  let current: readonly StepValueKind[] | undefined;
  let from = 'the model input';
  // `subject` follows the pointer in the message, so it names what the pointer does not (a step's type, its stage);
  // `label` is what later links call it ("what preprocessing/0 (VadWavDecode) returns").
  const take = (pointer: string, subject: string, label: string, accepted: readonly StepValueKind[], output: readonly StepValueKind[]): void => {
    if (current !== undefined) {
      const bad = current.filter((k) => !kindAccepted(k, accepted));
      if (bad.length) issues.push({ file, pointer, message: `${subject} cannot take what ${from} returns`, expected: list(accepted), found: list(current) });
    }
    current = output;
    from = label;
  };
  const steps = (list: readonly PlannedStep[]): void => {
    for (const step of list) {
      const io = stepIo(step.type);
      if (!io) {
        current = undefined;
        from = step.label;
        continue;
      }
      const subject = step.stage === undefined ? `(${step.type})` : `(${step.type} of stage '${step.stage}')`;
      take(step.pointer, subject, step.label, io.input, outputKinds(io));
    }
  };
  steps(plan.pre);
  for (const stage of plan.stages) {
    steps(stage.pre);
    const label = stage.name === undefined ? 'the graph' : `stage '${stage.name}'`;
    if (stage.stream) take(stage.pointer, label, label, GRAPH_IO.stream.input, [GRAPH_IO.stream.output]);
    else take(stage.pointer, label, label, GRAPH_IO.input, GRAPH_IO.output(stage.outputs));
    steps(stage.post);
  }
  steps(plan.post);
  return issues;
}
