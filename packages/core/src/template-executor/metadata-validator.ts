import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { MetadataInvalidError, type MetadataIssue } from './metadata-invalid-error.js';
import { ajvErrorsToIssues, describeFound, narrowAnyOfErrors } from './metadata-issue-format.js';
import type { ModelMetadata } from './model-metadata.generated.js';
import { MODEL_METADATA_SCHEMA } from './model-metadata-schema.generated.js';
import { planModelSteps, stepFileParams } from './step-plan.js';
import { chainIssues, planChain } from './chain-plan.js';
import { unsafePathReason } from '../provisioning/path-safety.js';
import { stageOnnxSessionIssues } from './stage-onnx-session.js';

export type MetadataValidation =
  | { readonly ok: true; readonly metadata: ModelMetadata; readonly issues: readonly []; readonly warnings: readonly MetadataIssue[] }
  | { readonly ok: false; readonly issues: readonly MetadataIssue[]; readonly warnings: readonly MetadataIssue[] };

export interface MetadataValidationOptions {
  readonly file: string;
  readonly schema?: object;
  /** Unknown fields are errors instead of warnings (`--strict`). */
  readonly strict?: boolean;
}

let compiled: { schema: object; validate: ValidateFunction } | undefined;

/** Deeper metadata is refused before schema checks and cloning recurse into it. */
export const MAX_METADATA_DEPTH = 64;

/** Pointer of the first value nested deeper than `limit` (iterative walk), or undefined. */
function deepestPointer(value: unknown, limit: number): string | undefined {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length > 0) {
    const [node, pointer, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return pointer;
    for (const [key, child] of Object.entries(node)) stack.push([child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1]);
  }
  return undefined;
}

function validatorFor(schema: object): ValidateFunction {
  if (compiled?.schema === schema) return compiled.validate;
  // `tsType` only steers the generated TypeScript types (nullable fields are typed without null: the validator strips them).
  const ajv = new Ajv2020({ allErrors: true, discriminator: true, useDefaults: true, verbose: true, strict: true, strictTypes: false, keywords: ['tsType'] });
  compiled = { schema, validate: ajv.compile(schema) };
  return compiled.validate;
}

/**
 * Validates a parsed model_metadata.json against the schema (defaults applied to a copy) and the rules a schema
 * cannot say (files referenced by steps are listed in `files`, one -1 per Reshape, matching mean/std lengths,
 * unique stage names, each step's input kind against what the step before it returns). Returns every issue, not
 * just the first.
 *
 * Like xybrid-core's serde types, unknown fields do not fail a file: each is a warning (an error when `strict`)
 * and is dropped from the result. `null` for an optional field means absent (serde's `Option::None`) and is dropped
 * too, except `MelSpectrogram.max_frames`, where null means "no frame limit".
 */
export function validateModelMetadata(json: unknown, options: MetadataValidationOptions): MetadataValidation {
  const schema = options.schema ?? MODEL_METADATA_SCHEMA;
  const tooDeep = deepestPointer(json, MAX_METADATA_DEPTH);
  if (tooDeep !== undefined) {
    return { ok: false, issues: [{ file: options.file, pointer: tooDeep, message: `nests deeper than ${MAX_METADATA_DEPTH} levels`, expected: `at most ${MAX_METADATA_DEPTH} levels of objects/arrays` }], warnings: [] };
  }
  const copy = structuredClone(json);
  const validate = validatorFor(schema);
  const valid = validate(copy);
  const errors = valid ? [] : narrowAnyOfErrors(validate.errors ?? []);
  const unknown = errors.filter((e) => e.keyword === 'additionalProperties');
  const rest = errors.filter((e) => e.keyword !== 'additionalProperties' && !(e.keyword === 'if' && unknown.some((u) => u.instancePath.startsWith(e.instancePath))));
  const unknownIssues = ajvErrorsToIssues(options.file, unknown, schema as Record<string, unknown>).map((issue) => ({ ...issue, message: options.strict ? 'is not a known field here' : 'is not a known field here; ignored' }));
  if (rest.length) {
    const issues = ajvErrorsToIssues(options.file, rest, schema as Record<string, unknown>);
    return options.strict ? { ok: false, issues: [...issues, ...unknownIssues], warnings: [] } : { ok: false, issues, warnings: unknownIssues };
  }
  if (options.strict && unknownIssues.length) return { ok: false, issues: unknownIssues, warnings: [] };
  for (const error of unknown) deleteAt(copy, error.instancePath, String((error.params as { additionalProperty: string }).additionalProperty));
  if (unknown.length && !validate(copy)) {
    // Dropping an unknown field can only remove errors; a second pass applies defaults under the cleaned objects.
    return { ok: false, issues: ajvErrorsToIssues(options.file, narrowAnyOfErrors(validate.errors ?? []), schema as Record<string, unknown>), warnings: unknownIssues };
  }
  const metadata = stripNulls(copy) as ModelMetadata;
  // The December 2025 name of ModelGraph; everything downstream sees the current one.
  if ((metadata.execution_template.type as string) === 'Pipeline') (metadata.execution_template as { type: string }).type = 'ModelGraph';
  const issues = [...semanticIssues(metadata, options.file), ...chainIssues(planChain(metadata), options.file)];
  const warnings = [...unknownIssues, ...unusedFieldWarnings(metadata, options.file)];
  if (options.strict && warnings.length > unknownIssues.length) return { ok: false, issues: [...issues, ...warnings], warnings: [] };
  return issues.length ? { ok: false, issues, warnings } : { ok: true, metadata, issues: [], warnings };
}

/** Like validateModelMetadata, but throws MetadataInvalidError (METADATA_INVALID) listing every issue. */
export function parseModelMetadata(
  json: unknown,
  options: MetadataValidationOptions & { onWarning?: (issue: MetadataIssue) => void },
): ModelMetadata {
  const result = validateModelMetadata(json, options);
  for (const warning of result.warnings) options.onWarning?.(warning);
  if (!result.ok) throw new MetadataInvalidError({ issues: result.issues });
  return result.metadata;
}

function deleteAt(root: unknown, pointer: string, key: string): void {
  let node = root as Record<string, unknown> | undefined;
  for (const token of pointer.split('/').slice(1)) node = node?.[token.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown> | undefined;
  if (node && typeof node === 'object') delete node[key];
}

/** Free-form objects whose values are kept as written (null included). */
const FREE_FORM = new Set(['metadata', 'config', 'sources']);

function stripNulls(value: unknown, key?: string, parentType?: unknown): unknown {
  if (Array.isArray(value)) {
    for (const item of value) stripNulls(item);
    return value;
  }
  if (typeof value !== 'object' || value === null || (key !== undefined && FREE_FORM.has(key))) return value;
  const record = value as Record<string, unknown>;
  for (const [name, child] of Object.entries(record)) {
    if (child === null && !(name === 'max_frames' && record.type === 'MelSpectrogram')) delete record[name];
    else stripNulls(child, name, record.type ?? parentType);
  }
  return value;
}

/** Accepted for xybrid compatibility but without effect here: said out loud (a warning; an error with --strict). */
function unusedFieldWarnings(metadata: ModelMetadata, file: string): MetadataIssue[] {
  const template = metadata.execution_template;
  if (template.type !== 'ModelGraph') return [];
  return Object.keys(template.config ?? {}).map((key) => ({
    file,
    pointer: `/execution_template/config/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    message: 'is not used by this runtime (stage inputs and KV-cache shapes come from the graphs themselves)',
    expected: 'no graph-wide config keys',
    found: JSON.stringify(key),
  }));
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
      issues.push(...stageOnnxSessionIssues(stage.config, `/execution_template/stages/${i}/config`, file));
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
      // One value stands for every channel (the kernels broadcast it).
      if (mean && std && mean.length !== std.length && mean.length !== 1 && std.length !== 1) {
        issues.push({ file, pointer: `${step.pointer}/std`, message: 'must have as many values as mean (or one)', expected: `${mean.length} value(s)`, found: `${std.length} value(s)` });
      }
      if (step.type === 'OcrDetResize') {
        for (const [key, values] of [['mean', mean], ['std', std]] as const) {
          if (values && values.length !== 3 && values.length !== 1) issues.push({ file, pointer: `${step.pointer}/${key}`, message: 'must have one value per image channel (3) or one for all', expected: '3 values or 1', found: `${values.length} value(s)` });
        }
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
