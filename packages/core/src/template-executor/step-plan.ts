import type { ModelMetadata, ModelGraphStage, PostprocessingStep, PreprocessingStep } from './model-metadata.generated.js';

export type StepPhase = 'preprocessing' | 'postprocessing';

/** One step of a model, located: where it is in the file and what its error messages call it. */
export interface PlannedStep {
  readonly type: string;
  readonly phase: StepPhase;
  /** Stage name for ModelGraph stage-level steps; undefined for the model-level lists. */
  readonly stage: string | undefined;
  readonly index: number;
  /** The step object as in the file (with schema defaults applied), `type` included. */
  readonly params: PreprocessingStep | PostprocessingStep;
  /** JSON pointer, e.g. `/execution_template/stages/0/preprocessing/1`. */
  readonly pointer: string;
  /** What errors call it, e.g. `preprocessing/1 (Normalize)` or `stages/det/postprocessing/0 (OcrTextBoxes)`. */
  readonly label: string;
}

/** Step parameters naming files (`vocab_file`, `tokenizer_file`, ...): such steps are built per files map. */
export function stepFileParams(params: object): string[] {
  return Object.keys(params)
    .filter((key) => key.endsWith('_file') && typeof (params as Record<string, unknown>)[key] === 'string')
    .sort();
}

export function stepNeedsFiles(params: object): boolean {
  return stepFileParams(params).length > 0;
}

/** The stages of a model, one pseudo-stage (name undefined) for a single-graph template. */
export function modelStages(metadata: ModelMetadata): readonly (ModelGraphStage | undefined)[] {
  return metadata.execution_template.type === 'ModelGraph' ? metadata.execution_template.stages : [undefined];
}

function planList(
  steps: readonly (PreprocessingStep | PostprocessingStep)[] | undefined,
  phase: StepPhase,
  stage: { name: string; index: number } | undefined,
): PlannedStep[] {
  return (steps ?? []).map((params, index) => ({
    type: params.type,
    phase,
    stage: stage?.name,
    index,
    params,
    pointer: stage ? `/execution_template/stages/${stage.index}/${phase}/${index}` : `/${phase}/${index}`,
    label: `${stage ? `stages/${stage.name}/` : ''}${phase}/${index} (${params.type})`,
  }));
}

/** Model-level steps of a phase. */
export function planTopLevelSteps(metadata: ModelMetadata, phase: StepPhase): PlannedStep[] {
  return planList(metadata[phase], phase, undefined);
}

/** Stage-level steps of a phase for one ModelGraph stage. */
export function planStageSteps(stage: ModelGraphStage, stageIndex: number, phase: StepPhase): PlannedStep[] {
  return planList(stage[phase], phase, { name: stage.name, index: stageIndex });
}

/** Every step of a model in run order: model pre, then per stage (pre, post), then model post. */
export function planModelSteps(metadata: ModelMetadata): PlannedStep[] {
  const stages = metadata.execution_template.type === 'ModelGraph' ? metadata.execution_template.stages : [];
  return [
    ...planTopLevelSteps(metadata, 'preprocessing'),
    ...stages.flatMap((stage, i) => [...planStageSteps(stage, i, 'preprocessing'), ...planStageSteps(stage, i, 'postprocessing')]),
    ...planTopLevelSteps(metadata, 'postprocessing'),
  ];
}
