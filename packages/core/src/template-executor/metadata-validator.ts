import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { MetadataInvalidError, type MetadataIssue } from './metadata-invalid-error.js';
import { ajvErrorsToIssues, describeFound } from './metadata-issue-format.js';
import type { ModelMetadata } from './model-metadata.generated.js';
import { MODEL_METADATA_SCHEMA } from './model-metadata-schema.generated.js';
import { planModelSteps, stepFileParams } from './step-plan.js';
import { unsafePathReason } from '../provisioning/path-safety.js';

export type MetadataValidation =
  | { readonly ok: true; readonly metadata: ModelMetadata; readonly issues: readonly [] }
  | { readonly ok: false; readonly issues: readonly MetadataIssue[] };

let compiled: { schema: object; validate: ValidateFunction } | undefined;

function validatorFor(schema: object): ValidateFunction {
  if (compiled?.schema === schema) return compiled.validate;
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, useDefaults: true, verbose: true, strict: true, strictTypes: false });
  compiled = { schema, validate: ajv.compile(schema) };
  return compiled.validate;
}

/**
 * Validates a parsed model_metadata.json against the schema (defaults applied to a copy) and the rules a schema
 * cannot say (files referenced by steps are listed in `files`, one -1 per Reshape, matching mean/std lengths,
 * unique stage names). Returns every issue, not just the first.
 */
export function validateModelMetadata(
  json: unknown,
  options: { file: string; schema?: object },
): MetadataValidation {
  const schema = options.schema ?? MODEL_METADATA_SCHEMA;
  const copy = structuredClone(json);
  const validate = validatorFor(schema);
  if (!validate(copy)) {
    return { ok: false, issues: ajvErrorsToIssues(options.file, validate.errors ?? [], schema as Record<string, unknown>) };
  }
  const metadata = copy as ModelMetadata;
  const issues = semanticIssues(metadata, options.file);
  return issues.length ? { ok: false, issues } : { ok: true, metadata, issues: [] };
}

/** Like validateModelMetadata, but throws MetadataInvalidError (METADATA_INVALID) listing every issue. */
export function parseModelMetadata(json: unknown, options: { file: string; schema?: object }): ModelMetadata {
  const result = validateModelMetadata(json, options);
  if (!result.ok) throw new MetadataInvalidError({ issues: result.issues });
  return result.metadata;
}

function semanticIssues(metadata: ModelMetadata, file: string): MetadataIssue[] {
  const issues: MetadataIssue[] = [];
  const files = new Set(metadata.files ?? []);
  const listed = `one of files [${[...files].join(', ')}]`;
  const template = metadata.execution_template;
  const needFile = (pointer: string, name: string): void => {
    if (!files.has(name)) issues.push({ file, pointer, message: 'names a file that is not listed in /files', expected: listed, found: describeFound(name) });
  };
  if ('model_file' in template) needFile('/execution_template/model_file', template.model_file);
  if (template.type === 'ModelGraph') {
    const names = new Map<string, number>();
    template.stages.forEach((stage, i) => {
      needFile(`/execution_template/stages/${i}/model_file`, stage.model_file);
      const first = names.get(stage.name);
      if (first !== undefined) issues.push({ file, pointer: `/execution_template/stages/${i}/name`, message: `repeats the name of stage ${first}`, expected: 'a unique stage name', found: describeFound(stage.name) });
      else names.set(stage.name, i);
    });
  }
  for (const step of planModelSteps(metadata)) {
    const params = step.params as unknown as Record<string, unknown>;
    for (const key of stepFileParams(params)) needFile(`${step.pointer}/${key}`, String(params[key]));
    if (step.type === 'Reshape') {
      const shape = params.shape as number[];
      if (shape.filter((d) => d === -1).length > 1) issues.push({ file, pointer: `${step.pointer}/shape`, message: 'may infer (-1) at most one dimension', expected: 'at most one -1', found: describeFound(shape) });
    }
    if (step.type === 'Normalize' || step.type === 'Denormalize' || step.type === 'OcrDetResize') {
      const mean = params.mean as number[] | undefined;
      const std = params.std as number[] | undefined;
      if (mean && std && mean.length !== std.length && mean.length !== 1 && std.length !== 1) {
        issues.push({ file, pointer: `${step.pointer}/std`, message: 'must have as many values as mean (or one)', expected: `${mean.length} value(s)`, found: `${std.length} value(s)` });
      }
    }
  }
  const checkPath = (pointer: string, value: unknown): void => {
    const reason = typeof value === 'string' ? unsafePathReason(value) : undefined;
    if (reason !== undefined) issues.push({ file, pointer, message: reason, expected: 'a relative path inside the model folder', found: describeFound(value) });
  };
  (metadata.files ?? []).forEach((name, i) => checkPath(`/files/${i}`, name));
  for (const [name, source] of Object.entries(metadata.sources ?? {})) {
    const escaped = `/sources/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (source && typeof source === 'object' && 'path' in source) checkPath(`${escaped}/path`, (source as { path?: unknown }).path);
  }
  for (const name of Object.keys(metadata.sources ?? {})) {
    if (!files.has(name)) issues.push({ file, pointer: `/sources/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: 'is a source for a file that is not listed in /files', expected: listed, found: describeFound(name) });
  }
  return issues;
}
