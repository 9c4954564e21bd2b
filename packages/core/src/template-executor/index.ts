export type {
  ModelMetadata,
  ExecutionTemplate,
  ExecutionMode,
  PreprocessingStep,
  PostprocessingStep,
  ModelGraphStage,
  FileSource,
} from './model-metadata.generated.js';
/** Every generated model_metadata.json type (one per step, template and mode), namespaced to avoid clashes. */
export type * as ModelMetadataTypes from './model-metadata.generated.js';
export * from './model-metadata-schema.generated.js';
export * from './metadata-invalid-error.js';
export * from './metadata-validator.js';
export * from './metadata-file.js';
export * from './metadata-json.js';
export * from './stage-onnx-session.js';
export * from './step-plan.js';
export * from './chain-plan.js';
export * from './graph-io-check.js';
export * from './pipeline-io.js';
export * from './stateful-stream-stage.js';
export * from './template-executor.js';
