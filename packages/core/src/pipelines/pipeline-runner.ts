import { randomUUID } from 'node:crypto';
import type { EngineInput, EngineOutput, InferenceRequest, RoutingDecision } from '@switchyard/spec';
import { SwitchyardError, toSwitchyardError } from '@switchyard/spec';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { closeMatches } from '../orchestrator/model-names.js';
import { evaluatePolicyExpression } from '../policy/policy-expression.js';
import type { TaskStore } from '../tasks/task-store.js';
import type { CompiledPipeline, CompiledStage, PromptTemplate } from './pipeline-loader.js';

export interface StageOutcome {
  readonly id: string;
  readonly status: 'completed' | 'failed' | 'skipped';
  /** Text view of the output (LLM text, OCR lines joined, ...). */
  readonly text?: string;
  /** Structured output (`json` outputs) or the text. */
  readonly value?: unknown;
  readonly output?: EngineOutput;
  readonly decision?: RoutingDecision;
  readonly attempts?: readonly { readonly engine: string; readonly model: string; readonly error?: string }[];
  readonly error?: { readonly code: string; readonly message: string };
  readonly reason?: string;
  readonly durationMs: number;
}

export interface PipelineRunResult {
  readonly runId: string;
  readonly pipeline: string;
  readonly stages: Readonly<Record<string, StageOutcome>>;
  /** The `output` stage, or the last stage (in file order) that completed. */
  readonly output?: StageOutcome;
}

export interface RunPipelineOptions {
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly signal?: AbortSignal;
  readonly runId?: string;
  readonly tasks?: TaskStore;
}

type Scope = { inputs: Record<string, unknown>; stages: Record<string, { text: string; value: unknown; status: string }> };

/** Runs a compiled pipeline: a DAG scheduler with bounded parallelism over Orchestrator.run. */
export async function runPipeline(orchestrator: Orchestrator, pipeline: CompiledPipeline, options: RunPipelineOptions = {}): Promise<PipelineRunResult> {
  const runId = options.runId ?? randomUUID();
  const name = pipeline.definition.name;
  const events = orchestrator.events;
  const inputs = resolveInputs(pipeline, options.inputs ?? {});
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const outcomes: Record<string, StageOutcome> = {};
  const scope: Scope = { inputs, stages: {} };
  const started = performance.now();
  await options.tasks?.transition(runId, `pipeline:${name}`, 'queued');
  events.emit('PipelineStart', { pipeline: name, runId, stages: pipeline.stages.length });
  await options.tasks?.transition(runId, `pipeline:${name}`, 'running');

  const pending = new Set(pipeline.stages);
  const running = new Map<CompiledStage, Promise<void>>();
  let fatal: SwitchyardError | undefined;
  try {
    while (pending.size > 0 || running.size > 0) {
      if (!fatal && !controller.signal.aborted) {
        for (const stage of [...pending]) {
          if (running.size >= pipeline.maxParallelism) break;
          const needs = stage.needs.map((id) => outcomes[id]);
          if (needs.some((o) => o === undefined)) continue;
          pending.delete(stage);
          const blocked = needs.find((o) => o!.status !== 'completed');
          if (blocked) {
            record(stage, { id: stage.definition.id, status: 'skipped', reason: `needs '${blocked.id}' which ${blocked.status === 'failed' ? 'failed' : 'was skipped'}`, durationMs: 0 });
            continue;
          }
          const task = runStage(stage).then(
            (outcome) => record(stage, outcome),
            (error: unknown) => {
              const typed = toSwitchyardError(error);
              const outcome: StageOutcome = { id: stage.definition.id, status: 'failed', error: { code: typed.code, message: typed.message }, durationMs: 0 };
              record(stage, outcome);
              if (!stage.definition.optional && !fatal) {
                fatal = new SwitchyardError({
                  code: typed.code,
                  message: `pipeline '${name}' stage '${stage.definition.id}' failed: ${typed.message}`,
                  retriable: typed.retriable,
                  details: { pipeline: name, stage: stage.definition.id, runId, ...typed.details },
                  cause: typed,
                });
                controller.abort(fatal);
              }
            },
          );
          running.set(stage, task.finally(() => running.delete(stage)));
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    if (controller.signal.aborted && !fatal) {
      throw new SwitchyardError({ code: 'ABORTED', message: `pipeline '${name}' was cancelled`, details: { pipeline: name, runId } });
    }
    if (fatal) throw fatal;
    for (const stage of pending) record(stage, { id: stage.definition.id, status: 'skipped', reason: 'not reached', durationMs: 0 });
    const outputId = pipeline.definition.output;
    const output = outputId ? outcomes[outputId] : [...pipeline.stages].reverse().map((s) => outcomes[s.definition.id]).find((o) => o?.status === 'completed');
    events.emit('PipelineComplete', { pipeline: name, runId, ok: true, durationMs: performance.now() - started });
    await options.tasks?.transition(runId, `pipeline:${name}`, 'completed');
    return { runId, pipeline: name, stages: outcomes, ...(output ? { output } : {}) };
  } catch (error) {
    events.emit('PipelineComplete', { pipeline: name, runId, ok: false, durationMs: performance.now() - started });
    const typed = toSwitchyardError(error);
    await options.tasks?.transition(runId, `pipeline:${name}`, typed.code === 'ABORTED' ? 'canceled' : 'failed', typed);
    throw typed;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  function record(stage: CompiledStage, outcome: StageOutcome): void {
    outcomes[stage.definition.id] = outcome;
    scope.stages[stage.definition.id] = { text: outcome.text ?? '', value: outcome.value ?? null, status: outcome.status };
    if (outcome.status === 'failed') {
      events.emit('StageError', { pipeline: name, runId, stage: outcome.id, code: outcome.error!.code, message: outcome.error!.message });
    } else {
      events.emit('StageComplete', { pipeline: name, runId, stage: outcome.id, durationMs: outcome.durationMs, ...(outcome.status === 'skipped' ? { skipped: true } : {}) });
    }
  }

  async function runStage(stage: CompiledStage): Promise<StageOutcome> {
    const def = stage.definition;
    const begin = performance.now();
    if (stage.when && !evaluatePolicyExpression(stage.when, scope)) {
      return { id: def.id, status: 'skipped', reason: `when \`${def.when}\` is false`, durationMs: 0 };
    }
    events.emit('StageStart', { pipeline: name, runId, stage: def.id });
    const request: InferenceRequest = {
      model: (def.model ?? def.route)!,
      workload: def.workload ?? (def.prompt !== undefined ? 'completion' : 'inference'),
      input: stageInput(stage, scope, pipeline),
      ...(def.target ? { target: def.target } : {}),
      ...(def.parameters ? { parameters: def.parameters } : {}),
      ...(def.tags ? { tags: def.tags } : {}),
      ...(def.timeoutMs ? { timeoutMs: def.timeoutMs } : {}),
      correlationId: `${runId}:${def.id}`,
    };
    const result = await orchestrator.run(request, {
      signal: controller.signal,
      ...(def.retry?.maxAttempts ? { maxAttempts: def.retry.maxAttempts } : {}),
      ...(def.fallback ? { fallback: def.fallback } : {}),
    });
    const value = result.output.kind === 'json' ? result.output.value : result.output.kind === 'text' ? result.output.text : result.output;
    return {
      id: def.id,
      status: 'completed',
      text: outputText(result.output),
      value,
      output: result.output,
      decision: result.decision,
      attempts: result.attempts,
      durationMs: performance.now() - begin,
    };
  }
}

/**
 * The run's inputs: each declared input given or defaulted, and nothing the pipeline does not declare (a typo would
 * otherwise run with the default, or pick the wrong single input). A pipeline without `inputs:` takes any names.
 */
function resolveInputs(pipeline: CompiledPipeline, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const name = pipeline.definition.name;
  const declared = pipeline.definition.inputs;
  const out: Record<string, unknown> = { ...given };
  if (declared === undefined) return out;
  const declaredNames = Object.keys(declared);
  const unknown = Object.keys(given).filter((key) => given[key] !== undefined && !Object.hasOwn(declared, key));
  const listed = declaredNames.map((n) => `'${n}'`).join(', ') || 'none';
  for (const [key, spec] of Object.entries(declared)) {
    if (out[key] === undefined && spec.default !== undefined) out[key] = spec.default;
    if (out[key] === undefined) {
      const typo = unknown.find((u) => closeMatches(u, [key], 1).length > 0);
      const others = unknown.map((u) => `'${u}'`).join(', ');
      const hint = typo !== undefined ? ` (given '${typo}': did you mean '${key}'?)` : unknown.length > 0 ? ` (given ${others}, which it does not declare)` : '';
      throw new SwitchyardError({
        code: 'INVALID_INPUT',
        message: `pipeline '${name}' needs input '${key}'${hint} (${spec.kind})${spec.description ? `: ${spec.description}` : ''}`,
        details: { file: pipeline.file, field: `inputs.${key}`, expected: spec.kind, ...(typo !== undefined ? { found: typo } : {}) },
      });
    }
  }
  if (unknown.length > 0) {
    const first = unknown[0]!;
    const close = unknown.length === 1 ? closeMatches(first, declaredNames, 1)[0] : undefined;
    const names = unknown.map((u) => `'${u}'`).join(', ');
    throw new SwitchyardError({
      code: 'INVALID_INPUT',
      message: `pipeline '${name}' has no input${unknown.length === 1 ? '' : 's'} ${names}${close !== undefined ? ` (did you mean '${close}'?)` : ''}; it declares ${listed}`,
      details: { file: pipeline.file, field: `inputs.${first}`, expected: declaredNames.join(', '), found: unknown.join(', ') },
    });
  }
  return out;
}

function stageInput(stage: CompiledStage, scope: Scope, pipeline: CompiledPipeline): EngineInput {
  const def = stage.definition;
  const render = (template: PromptTemplate, field: string): string => {
    try {
      return template(scope);
    } catch (error) {
      throw new SwitchyardError({
        code: 'INVALID_INPUT',
        message: `stage '${def.id}' ${field}: ${(error as Error).message.split('\n')[0]}`,
        details: { file: pipeline.file, pointer: `/stages/${stage.index}/${field}` },
        cause: error,
      });
    }
  };
  if (stage.prompt) {
    return { kind: 'text', prompt: render(stage.prompt, 'prompt'), ...(stage.system ? { system: render(stage.system, 'system') } : {}) };
  }
  if (def.input) return toEngineInput(lookup(scope, def.input), pipeline.definition.inputs?.[def.input.split('.')[1]!]?.kind);
  const previous = stage.needs[0];
  if (previous) return toEngineInput(scope.stages[previous]!.value);
  const names = Object.keys(scope.inputs);
  if (names.length === 1) return toEngineInput(scope.inputs[names[0]!], pipeline.definition.inputs?.[names[0]!]?.kind);
  throw new SwitchyardError({
    code: 'PIPELINE_INVALID',
    message: `stage '${def.id}' has no prompt, no input and no previous stage; add \`input: inputs.<name>\``,
    details: { file: pipeline.file, pointer: `/stages/${stage.index}` },
  });
}

function lookup(scope: Scope, path: string): unknown {
  let value: unknown = scope;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const INPUT_KINDS = new Set(['text', 'texts', 'tensors', 'audio', 'image', 'json']);

/** Wraps a value as an EngineInput: EngineInputs pass through, bytes become images, strings text. */
export function toEngineInput(value: unknown, kind?: string): EngineInput {
  if (value && typeof value === 'object' && INPUT_KINDS.has((value as { kind?: string }).kind ?? '')) return value as EngineInput;
  if (value instanceof Uint8Array) return kind === 'audio' ? { kind: 'json', value } : { kind: 'image', data: value };
  if (typeof value === 'string') return { kind: 'text', prompt: value };
  return { kind: 'json', value };
}

/** Text view of an output: text as is, OCR-like `{lines:[{text}]}` joined, `{text}` fields, else JSON. */
export function outputText(output: EngineOutput): string {
  if (output.kind === 'text') return output.text;
  if (output.kind !== 'json') return '';
  const value = output.value as { text?: unknown; lines?: unknown } | string | null;
  if (typeof value === 'string') return value;
  if (value && typeof value.text === 'string') return value.text;
  if (value && Array.isArray(value.lines)) return value.lines.map((l: { text?: string }) => l?.text ?? '').join('\n');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n');
  return JSON.stringify(value);
}
