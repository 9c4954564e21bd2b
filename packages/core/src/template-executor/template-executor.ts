import type { ModelPipeline, PipelineContext, PipelineStreamSession } from '@switchyard/spec';
import { SwitchyardError, throwIfAborted } from '@switchyard/spec';
import { STEP_FACTORIES } from '../steps/step-factories.js';
import { createPipelineFrame, type PipelineFrame, type StepFactory, type StepFunction } from '../steps/step-kernel.js';
import type { TensorInput } from '../steps/step-values.js';
import type { MetadataIssue } from './metadata-invalid-error.js';
import { parseModelMetadata } from './metadata-validator.js';
import type { ModelGraphStage, ModelMetadata } from './model-metadata.generated.js';
import { fromGraphOutputs, memoiseStepForFiles, runStageBatched, toGraphFeeds, type FilesBoundStep } from './pipeline-io.js';
import { StatefulStreamStage } from './stateful-stream-stage.js';
import { planStageSteps, planTopLevelSteps, stepNeedsFiles, type PlannedStep } from './step-plan.js';

export interface InterpretedPipelineOptions {
  /** Where the metadata came from, for error messages. Default `model_metadata.json`. */
  readonly file?: string;
  /** Step table to dispatch through. Default STEP_FACTORIES. */
  readonly factories?: Readonly<Record<string, StepFactory>>;
  /** Called with each unknown (or unused) field of the metadata, located by file and pointer (the field is dropped). */
  readonly onWarning?: (issue: MetadataIssue) => void;
}

/** Parameters handed to a factory: the step object minus its tag (defaults already applied). */
export function stepParams(step: PlannedStep): Record<string, unknown> {
  const { type: _type, ...params } = step.params as unknown as Record<string, unknown>;
  return params;
}

const NO_FILES: Readonly<Record<string, string>> = Object.freeze({});

function bindStep(step: PlannedStep, modelId: string, factories: Readonly<Record<string, StepFactory>>): FilesBoundStep {
  const factory = factories[step.type]!;
  const params = stepParams(step);
  const build = (files: Readonly<Record<string, string>>): StepFunction | Promise<StepFunction> =>
    factory(params, { modelId, step: step.label, files });
  if (stepNeedsFiles(params)) return memoiseStepForFiles(build);
  const once = memoiseStepForFiles(build);
  return () => once(NO_FILES);
}

interface InterpretedStage {
  readonly name: string | undefined;
  readonly enabled: boolean;
  readonly batchSize: number | undefined;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly pre: readonly FilesBoundStep[];
  readonly post: readonly FilesBoundStep[];
  readonly stream: StatefulStreamStage | undefined;
}

async function runSteps(steps: readonly FilesBoundStep[], value: unknown, frame: PipelineFrame, context: PipelineContext): Promise<unknown> {
  let current = value;
  for (const step of steps) {
    throwIfAborted(context.signal, 'pipeline run');
    current = await (await step(context.files))(current, frame);
  }
  return current;
}

/**
 * Why a valid file cannot run as a pipeline here (undefined = it can). Shared by the interpreter and codegen, so
 * both refuse the same files with the same words.
 */
export function pipelineUnsupportedReason(metadata: ModelMetadata): string | undefined {
  const type = metadata.execution_template.type;
  if (type !== 'Onnx' && type !== 'SimpleMode' && type !== 'ModelGraph') {
    return `Model '${metadata.model_id}': execution template '${type}' has no pre/post pipeline here (Onnx, SimpleMode and ModelGraph do)`;
  }
  if (metadata.voices) {
    return `Model '${metadata.model_id}': /voices (xybrid TTS voice embeddings, format '${metadata.voices.format}') is not supported by this runtime; remove it and feed the style tensor from preprocessing`;
  }
  return undefined;
}

function unsupportedTemplate(metadata: ModelMetadata, reason: string): SwitchyardError {
  return new SwitchyardError({
    code: 'UNSUPPORTED',
    message: reason,
    details: { modelId: metadata.model_id, template: metadata.execution_template.type },
  });
}

/**
 * Interprets a model_metadata.json at run time with the same step factories, graph glue and stage semantics as the
 * generated pipelines (packages/models), so both give identical outputs. Validates first (METADATA_INVALID lists
 * every issue); steps are built on first run (file-needing steps per files map).
 */
export function createInterpretedPipeline(metadataJson: unknown, options: InterpretedPipelineOptions = {}): ModelPipeline {
  const metadata = parseModelMetadata(metadataJson, { file: options.file ?? 'model_metadata.json', ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  const factories = options.factories ?? STEP_FACTORIES;
  const modelId = metadata.model_id;
  const template = metadata.execution_template;
  const unsupported = pipelineUnsupportedReason(metadata);
  if (unsupported || (template.type !== 'Onnx' && template.type !== 'SimpleMode' && template.type !== 'ModelGraph')) throw unsupportedTemplate(metadata, unsupported ?? '');

  const stageSpecs: readonly { stage: ModelGraphStage | undefined; index: number }[] =
    template.type === 'ModelGraph' ? template.stages.map((stage, index) => ({ stage, index })) : [{ stage: undefined, index: 0 }];
  const allSteps = [
    ...planTopLevelSteps(metadata, 'preprocessing'),
    ...stageSpecs.flatMap(({ stage, index }) => (stage ? [...planStageSteps(stage, index, 'preprocessing'), ...planStageSteps(stage, index, 'postprocessing')] : [])),
    ...planTopLevelSteps(metadata, 'postprocessing'),
  ];
  const missing = [...new Set(allSteps.filter((s) => !factories[s.type]).map((s) => s.type))].sort();
  if (missing.length) {
    throw new SwitchyardError({
      code: 'UNSUPPORTED',
      message: `Model '${modelId}': no step factory for ${missing.join(', ')} (known: ${Object.keys(factories).sort().join(', ')})`,
      details: { modelId, missing },
    });
  }
  const bind = (steps: PlannedStep[]): FilesBoundStep[] => steps.map((s) => bindStep(s, modelId, factories));
  const pre = bind(planTopLevelSteps(metadata, 'preprocessing'));
  const post = bind(planTopLevelSteps(metadata, 'postprocessing'));
  const names = metadata.metadata;
  const stages: InterpretedStage[] = stageSpecs.map(({ stage, index }) => {
    const config = stage?.config ?? {};
    const mode = stage?.execution_mode;
    return {
      name: stage?.name,
      enabled: config.enabled !== false,
      batchSize: config.batch_size,
      inputs: stage ? (stage.inputs ?? []) : (names?.input_names ?? []),
      outputs: stage ? (stage.outputs ?? []) : (names?.output_names ?? []),
      pre: stage ? bind(planStageSteps(stage, index, 'preprocessing')) : [],
      post: stage ? bind(planStageSteps(stage, index, 'postprocessing')) : [],
      stream: stage && mode?.type === 'StatefulStream' ? new StatefulStreamStage(mode, modelId, stage.name) : undefined,
    };
  });
  const streaming = stages.find((s) => s.stream);

  const pipeline: ModelPipeline = {
    modelId,
    async run(input: unknown, context: PipelineContext): Promise<unknown> {
      const frame = createPipelineFrame(context.signal);
      let value = await runSteps(pre, input, frame, context);
      for (const stage of stages) {
        if (!stage.enabled) continue;
        value = await runStageBatched(value, stage.batchSize, frame, async (part) => {
          const prepared = await runSteps(stage.pre, part, frame, context);
          throwIfAborted(context.signal, 'pipeline run');
          const inferred = stage.stream
            ? await stage.stream.runAll(prepared as Float32Array, context.runner, context.signal, frame)
            : fromGraphOutputs(await context.runner.run(stage.name, toGraphFeeds(prepared as TensorInput, stage.inputs, modelId, stage.name), context.signal), stage.outputs, frame);
          return runSteps(stage.post, inferred, frame, context);
        });
      }
      return runSteps(post, value, frame, context);
    },
  };
  if (streaming?.stream) {
    const stream = streaming.stream;
    const later = stages.slice(stages.indexOf(streaming) + 1).filter((stage) => stage.enabled);
    // Streamed chunks skip the preprocessing (they are samples already); the steps after the stream stage run on its output.
    const tail = [...streaming.post, ...post];
    pipeline.openStream = (context: PipelineContext, settings?: Record<string, unknown>): PipelineStreamSession<unknown, unknown> => {
      if (later.length > 0) {
        throw new SwitchyardError({
          code: 'UNSUPPORTED',
          message: `Model '${modelId}': stage '${later[0]!.name}' follows stream stage '${streaming.name}'; a stream session can only run steps after it`,
          details: { modelId, stage: later[0]!.name },
        });
      }
      return stream.open(context.runner, context.signal, tail.map((step) => step(context.files)), settings);
    };
  }
  return pipeline;
}

/** Runs model_metadata.json pipelines without codegen (for models that arrive after the build). */
export class TemplateExecutor {
  private readonly cache = new WeakMap<object, ModelPipeline>();

  constructor(private readonly options: InterpretedPipelineOptions = {}) {}

  /** Builds (once per metadata object) and runs the interpreted pipeline. */
  execute(metadata: unknown, input: unknown, context: PipelineContext): Promise<unknown> {
    return this.pipelineFor(metadata).run(input, context);
  }

  pipelineFor(metadata: unknown): ModelPipeline {
    if (typeof metadata !== 'object' || metadata === null) return createInterpretedPipeline(metadata, this.options);
    let pipeline = this.cache.get(metadata);
    if (!pipeline) {
      pipeline = createInterpretedPipeline(metadata, this.options);
      this.cache.set(metadata, pipeline);
    }
    return pipeline;
  }
}
