import { MetadataInvalidError, stageOnnxSessionIssues, type StageOnnxSession } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/spec';
import type { IterativeRefinementMode } from './onnx-iterative-refinement.js';

/** A stage's execution mode, read defensively from model_metadata.json (narrow local types). */
export type OnnxExecutionMode =
  | { readonly type: 'SingleShot' }
  | { readonly type: 'StatefulStream'; readonly [key: string]: unknown }
  | AutoregressiveMode
  | WhisperDecoderMode
  | IterativeRefinementMode;

export interface AutoregressiveMode {
  readonly type: 'Autoregressive';
  readonly max_tokens: number;
  readonly start_token_id?: number;
  readonly end_token_id?: number;
  readonly repetition_penalty?: number;
}

export interface WhisperDecoderMode {
  readonly type: 'WhisperDecoder';
  readonly max_tokens: number;
  readonly start_token_id: number;
  readonly end_token_id: number;
  readonly language_token_id?: number;
  readonly task_token_id?: number;
  readonly no_timestamps_token_id?: number;
  readonly suppress_tokens?: readonly number[];
  readonly repetition_penalty?: number;
}

/** Session settings a stage may set in its metadata `config.onnx` (they override the plugin's options for it). */
export type OnnxStageSession = StageOnnxSession;

export interface OnnxStageLayout {
  /** Stage name; `main` for a single-graph model. */
  readonly name: string;
  /** Logical file name as in metadata `files`. */
  readonly file: string;
  readonly mode: OnnxExecutionMode;
  /** From `config.onnx` of a ModelGraph stage. */
  readonly session?: OnnxStageSession;
}

export interface OnnxModelLayout {
  readonly stages: readonly OnnxStageLayout[];
}

const fail = (modelId: string, pointer: string, message: string): never => {
  throw new SwitchyardError({
    code: 'METADATA_INVALID',
    message: `model '${modelId}': ${pointer} ${message}`,
    details: { modelId, pointer },
  });
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseMode(modelId: string, pointer: string, raw: unknown): OnnxExecutionMode {
  if (raw === undefined || raw === null) return { type: 'SingleShot' };
  const mode = typeof raw === 'string' ? { type: raw } : raw;
  if (!isRecord(mode) || typeof mode['type'] !== 'string') return fail(modelId, pointer, 'must be an object with a string "type"');
  const int = (field: string, required: boolean): number | undefined => {
    const v = mode[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return fail(modelId, `${pointer}/${field}`, `must be an integer >= 0, found ${JSON.stringify(v)}`);
    return v;
  };
  switch (mode['type']) {
    case 'SingleShot':
      return { type: 'SingleShot' };
    case 'StatefulStream':
      return { ...mode, type: 'StatefulStream' };
    case 'Autoregressive': {
      const result: AutoregressiveMode = {
        type: 'Autoregressive',
        max_tokens: int('max_tokens', true)!,
        ...optionalNumbers(mode, ['start_token_id', 'end_token_id', 'repetition_penalty']),
      };
      int('start_token_id', false);
      int('end_token_id', false);
      return result;
    }
    case 'WhisperDecoder': {
      const suppress = mode['suppress_tokens'];
      if (suppress !== undefined && (!Array.isArray(suppress) || suppress.some((t) => !Number.isInteger(t)))) {
        return fail(modelId, `${pointer}/suppress_tokens`, 'must be an array of integers');
      }
      for (const field of ['language_token_id', 'task_token_id', 'no_timestamps_token_id']) int(field, false);
      return {
        type: 'WhisperDecoder',
        max_tokens: int('max_tokens', true)!,
        start_token_id: int('start_token_id', true)!,
        end_token_id: int('end_token_id', true)!,
        ...optionalNumbers(mode, ['language_token_id', 'task_token_id', 'no_timestamps_token_id', 'repetition_penalty']),
        ...(suppress ? { suppress_tokens: suppress as number[] } : {}),
      };
    }
    case 'IterativeRefinement': {
      const schedule = mode['schedule'] ?? { type: 'Linear' };
      if (!isRecord(schedule) || !['Linear', 'Cosine', 'Custom'].includes(String(schedule['type']))) return fail(modelId, `${pointer}/schedule`, 'must be {type: Linear | Cosine | Custom}');
      if (schedule['type'] === 'Custom' && (!Array.isArray(schedule['timesteps']) || schedule['timesteps'].some((t) => typeof t !== 'number'))) {
        return fail(modelId, `${pointer}/schedule/timesteps`, 'must be an array of numbers');
      }
      const names: Record<string, string> = {};
      for (const field of ['sample_input', 'timestep_input', 'sample_output']) {
        if (mode[field] === undefined) continue;
        if (typeof mode[field] !== 'string') return fail(modelId, `${pointer}/${field}`, 'must be a string');
        names[field] = mode[field] as string;
      }
      return { type: 'IterativeRefinement', num_steps: int('num_steps', true)!, schedule: schedule as IterativeRefinementMode['schedule'] & object, ...names };
    }
    default:
      return fail(modelId, `${pointer}/type`, `'${mode['type']}' is not an execution mode the ONNX engine runs (SingleShot, Autoregressive, WhisperDecoder, StatefulStream, IterativeRefinement)`);
  }
}

/**
 * `config.onnx` of a stage, checked by core's one check of these settings (codegen and the interpreter run the same
 * one): every problem at once, located (a typo is an error, never silently ignored).
 */
function parseStageSession(modelId: string, pointer: string, config: unknown): OnnxStageSession | undefined {
  const issues = stageOnnxSessionIssues(config, pointer, `model '${modelId}' model_metadata.json`);
  if (issues.length > 0) throw new MetadataInvalidError({ issues });
  const raw = (config as { onnx?: unknown } | undefined)?.onnx;
  return raw === undefined ? undefined : (raw as OnnxStageSession);
}

function optionalNumbers(source: Record<string, unknown>, fields: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const field of fields) if (typeof source[field] === 'number') out[field] = source[field] as number;
  return out;
}

/**
 * Reads which graph files a model has and how each runs. Accepts `Onnx`/`SimpleMode` (one stage `main`) and
 * `ModelGraph` (a stage per entry). Without metadata, a model with exactly one `.onnx` file is a single stage.
 */
export function readModelLayout(modelId: string, metadata: unknown, files: Readonly<Record<string, string>>): OnnxModelLayout {
  if (metadata === undefined || metadata === null) {
    const onnxFiles = Object.keys(files).filter((f) => f.endsWith('.onnx'));
    if (onnxFiles.length !== 1) return fail(modelId, '/execution_template', `is missing and the model has ${onnxFiles.length} .onnx files (need exactly 1)`);
    return { stages: [{ name: 'main', file: onnxFiles[0]!, mode: { type: 'SingleShot' } }] };
  }
  if (!isRecord(metadata)) return fail(modelId, '', 'metadata must be an object');
  const template = metadata['execution_template'];
  if (!isRecord(template)) return fail(modelId, '/execution_template', 'must be an object');
  const type = template['type'];
  if (type === 'Onnx' || type === 'SimpleMode') {
    const file = template['model_file'];
    if (typeof file !== 'string') return fail(modelId, '/execution_template/model_file', 'must be a string');
    return { stages: [{ name: 'main', file, mode: parseMode(modelId, '/execution_template/execution_mode', template['execution_mode']) }] };
  }
  if (type === 'ModelGraph' || type === 'Pipeline') {
    const stages = template['stages'];
    if (!Array.isArray(stages) || stages.length === 0) return fail(modelId, '/execution_template/stages', 'must be a non-empty array');
    return {
      stages: stages.map((stage, i) => {
        const pointer = `/execution_template/stages/${i}`;
        if (!isRecord(stage)) return fail(modelId, pointer, 'must be an object');
        if (typeof stage['name'] !== 'string') return fail(modelId, `${pointer}/name`, 'must be a string');
        if (typeof stage['model_file'] !== 'string') return fail(modelId, `${pointer}/model_file`, 'must be a string');
        const session = parseStageSession(modelId, `${pointer}/config`, stage['config']);
        return {
          name: stage['name'],
          file: stage['model_file'],
          mode: parseMode(modelId, `${pointer}/execution_mode`, stage['execution_mode']),
          ...(session ? { session } : {}),
        };
      }),
    };
  }
  throw new SwitchyardError({
    code: 'UNSUPPORTED',
    message: `model '${modelId}': the ONNX engine cannot run execution_template type '${String(type)}' (it runs Onnx, SimpleMode, ModelGraph)`,
    details: { modelId, pointer: '/execution_template/type', found: type },
  });
}
