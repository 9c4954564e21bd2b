import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';
import Handlebars from 'handlebars';
import { parseConfigText, type ConfigSource } from '../config/config-source.js';
import { formatIssue, toConfigIssues } from '../config/schema-issues.js';
import { SwitchyardError } from '@switchyard/spec';
import { ExpressionSyntaxError, parsePolicyExpression, type PolicyExpression } from '../policy/policy-expression.js';
import type { PipelineDefinition, PipelineStageDefinition } from './pipeline-definition.js';
import { PIPELINE_SCHEMA } from './pipeline-schema.js';
import { closeMatches } from '../orchestrator/model-names.js';

/** Roots a stage's `when` may read. */
export const PIPELINE_EXPRESSION_ROOTS = ['inputs', 'stages'] as const;

/** A compiled prompt/system template (Handlebars underneath; the type is ours so consumers need no Handlebars globals). */
export type PromptTemplate = (context: object) => string;

export interface CompiledStage {
  readonly definition: PipelineStageDefinition;
  readonly index: number;
  readonly needs: readonly string[];
  readonly when?: PolicyExpression;
  readonly prompt?: PromptTemplate;
  readonly system?: PromptTemplate;
}

/** A validated pipeline: stages with dependencies resolved, templates and conditions compiled, acyclic. */
export interface CompiledPipeline {
  readonly file: string;
  readonly definition: PipelineDefinition;
  readonly stages: readonly CompiledStage[];
  readonly maxParallelism: number;
}

let validator: ValidateFunction | undefined;

function invalid(file: string, source: ConfigSource | undefined, pointer: string, message: string, cause?: unknown): SwitchyardError {
  const position = source?.locate(pointer);
  const where = position ? `${file}:${position.line}:${position.column}` : file;
  return new SwitchyardError({
    code: 'PIPELINE_INVALID',
    message: `${where}: ${pointer}: ${message}`,
    details: { file, pointer, ...(position ? { line: position.line, column: position.column } : {}) },
    ...(cause !== undefined ? { cause } : {}),
  });
}

/** Parses, schema-checks and compiles a pipeline file (YAML or JSON). */
export async function loadPipelineFile(file: string): Promise<CompiledPipeline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SwitchyardError({ code: 'PIPELINE_INVALID', message: `${file}: cannot read pipeline file: ${(error as Error).message}`, details: { file }, cause: error });
  }
  return compilePipelineText(text, file);
}

export function compilePipelineText(text: string, file: string): CompiledPipeline {
  let source: ConfigSource;
  try {
    source = parseConfigText(file, text);
  } catch (error) {
    throw new SwitchyardError({
      code: 'PIPELINE_INVALID',
      message: (error as Error).message,
      details: { file, ...(SwitchyardError.isInstance(error) ? error.details : {}) },
      cause: error,
    });
  }
  return compilePipeline(source.value, file, source);
}

/** Validates a pipeline object against schemas/pipeline.schema.json, then checks references and cycles. */
export function compilePipeline(value: unknown, file = '<pipeline>', source?: ConfigSource): CompiledPipeline {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(PIPELINE_SCHEMA);
  if (!validator(value)) {
    const issues = toConfigIssues(validator.errors ?? [], { file, ...(source ? { source } : {}) });
    throw new SwitchyardError({
      code: 'PIPELINE_INVALID',
      message: `${file} is not a valid pipeline:\n  ${issues.map(formatIssue).join('\n  ')}`,
      details: { file, issues },
    });
  }
  const definition = value as PipelineDefinition;
  const ids = new Map<string, number>();
  definition.stages.forEach((stage, index) => {
    if (ids.has(stage.id)) throw invalid(file, source, `/stages/${index}/id`, `duplicate stage id '${stage.id}' (first at /stages/${ids.get(stage.id)})`);
    ids.set(stage.id, index);
  });
  const stages = definition.stages.map((stage, index): CompiledStage => {
    const needs = stage.needs ?? (index > 0 ? [definition.stages[index - 1]!.id] : []);
    needs.forEach((need, n) => {
      if (!ids.has(need)) throw invalid(file, source, `/stages/${index}/needs/${n}`, `unknown stage '${need}' (stages: ${[...ids.keys()].join(', ')})`);
      if (need === stage.id) throw invalid(file, source, `/stages/${index}/needs/${n}`, `stage '${stage.id}' needs itself`);
    });
    let when: PolicyExpression | undefined;
    if (stage.when !== undefined) {
      try {
        when = parsePolicyExpression(stage.when, PIPELINE_EXPRESSION_ROOTS);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw error;
        throw invalid(file, source, `/stages/${index}/when`, `${error.message} at column ${error.column} in \`${stage.when}\``, error);
      }
      // Every path must name what the run's scope holds: a typo would make the stage never (or always) run.
      const problem = unknownWhenPath(when, [...ids.keys()], Object.keys(definition.inputs ?? {}), definition.inputs !== undefined);
      if (problem) throw invalid(file, source, `/stages/${index}/when`, `${problem} in \`${stage.when}\``);
    }
    const template = (field: 'prompt' | 'system'): PromptTemplate | undefined => {
      const raw = stage[field];
      if (raw === undefined) return undefined;
      try {
        // noEscape: prompts are plain text, not HTML; strict: a typo in a path fails instead of rendering ''.
        const compiled = Handlebars.compile(raw, { noEscape: true, strict: true });
        Handlebars.precompile(raw);
        return compiled;
      } catch (error) {
        throw invalid(file, source, `/stages/${index}/${field}`, `invalid template: ${(error as Error).message.split('\n')[0]}`, error);
      }
    };
    if (stage.input !== undefined && !/^(inputs|stages)\.[A-Za-z0-9_.-]+$/.test(stage.input)) {
      throw invalid(file, source, `/stages/${index}/input`, `expected a path like inputs.<name> or stages.<id>.value, found '${stage.input}'`);
    }
    const prompt = template('prompt');
    const system = template('system');
    return { definition: stage, index, needs, ...(when ? { when } : {}), ...(prompt ? { prompt } : {}), ...(system ? { system } : {}) };
  });
  rejectCycles(stages, file, source);
  if (definition.output !== undefined && !ids.has(definition.output)) {
    throw invalid(file, source, '/output', `unknown stage '${definition.output}'`);
  }
  return { file, definition, stages, maxParallelism: definition.maxParallelism ?? 4 };
}

/** Depth-first search; the error names the cycle in order. */
function rejectCycles(stages: readonly CompiledStage[], file: string, source: ConfigSource | undefined): void {
  const byId = new Map(stages.map((s) => [s.definition.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(id)), id];
      const stage = byId.get(id)!;
      throw invalid(file, source, `/stages/${stage.index}/needs`, `stages form a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(id, 'visiting');
    path.push(id);
    for (const need of byId.get(id)!.needs) visit(need);
    path.pop();
    state.set(id, 'done');
  };
  for (const stage of stages) visit(stage.definition.id);
}

/** What a stage result holds for `when` (pipeline-runner.ts sets it); `value` may be read deeper. */
const STAGE_FIELDS = ['text', 'value', 'status'];

/** The first path of a stage's `when` that names no stage, stage field or input the run has (undefined: all do). */
function unknownWhenPath(node: PolicyExpression, stageIds: readonly string[], inputNames: readonly string[], inputsDeclared: boolean): string | undefined {
  switch (node.type) {
    case 'literal':
      return undefined;
    case 'list':
      for (const item of node.items) {
        const found = unknownWhenPath(item, stageIds, inputNames, inputsDeclared);
        if (found) return found;
      }
      return undefined;
    case 'not':
      return unknownWhenPath(node.operand, stageIds, inputNames, inputsDeclared);
    case 'logical':
    case 'compare':
      return unknownWhenPath(node.left, stageIds, inputNames, inputsDeclared) ?? unknownWhenPath(node.right, stageIds, inputNames, inputsDeclared);
    case 'path': {
      const [root, name, field] = node.path;
      const suggest = (wrong: string, known: readonly string[]) => {
        const close = closeMatches(wrong, known, 1);
        return close.length ? `; did you mean '${close[0]}'?` : '';
      };
      if (root === 'stages') {
        if (!stageIds.includes(name!)) return `unknown stage 'stages.${name}' (stages: ${stageIds.join(', ')}${suggest(name!, stageIds)})`;
        if (field === undefined) return `'stages.${name}' needs a field (${STAGE_FIELDS.map((f) => `stages.${name}.${f}`).join(', ')})`;
        if (!STAGE_FIELDS.includes(field)) return `unknown field 'stages.${name}.${field}' (a stage has ${STAGE_FIELDS.join(', ')}${suggest(field, STAGE_FIELDS)})`;
        if (field !== 'value' && node.path.length > 3) return `'stages.${name}.${field}' has no fields (found '${node.path.join('.')}')`;
        return undefined;
      }
      if (root === 'inputs' && inputsDeclared && !inputNames.includes(name!)) return `unknown input 'inputs.${name}' (inputs: ${inputNames.join(', ') || 'none'}${suggest(name!, inputNames)})`;
      return undefined;
    }
  }
}
