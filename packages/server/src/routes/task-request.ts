import { randomUUID } from 'node:crypto';
import { InvalidInputError, jsonTensor, readWav, WavFormatError, type EngineInput, type GenerationParameters, type Placement, type Workload } from '@switchyard/core';
import type { ArtifactStore } from '../artifact-store.js';
import { httpError } from '../http-error.js';
import { ID_PATTERN, SHA256_PATTERN } from '../server-context.js';
import type { TaskSpec } from '../server-task.js';
import type { TaskTelemetry } from '../request-telemetry.js';

const BASE64 = '^[A-Za-z0-9+/]*={0,2}$';
export const MAX_DEADLINE_MS = 2_147_483_647;

export const messageSchema = {
  type: 'object',
  required: ['role', 'content'],
  additionalProperties: false,
  properties: { role: { enum: ['system', 'user', 'assistant'] }, content: { type: 'string' } },
} as const;

export const taskRequestSchema = {
  type: 'object',
  required: ['model_ref'],
  additionalProperties: false,
  properties: {
    task_id: { type: 'string', pattern: ID_PATTERN },
    session_id: { type: 'string', pattern: ID_PATTERN },
    workload: { enum: ['completion', 'embedding', 'inference', 'transcription'] },
    model_ref: { type: 'string', minLength: 1, maxLength: 256 },
    priority: { enum: ['interactive', 'batch'] },
    max_tokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    // Node timers overflow above 2^31-1 ms (they would fire at once).
    deadline_ms: { type: 'integer', minimum: 1, maximum: MAX_DEADLINE_MS },
    prompt: { type: 'string' },
    messages: { type: 'array', minItems: 1, items: messageSchema },
    inputs: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        texts: { type: 'array', minItems: 1, items: { type: 'string' } },
        image_base64: { type: 'string', minLength: 1, pattern: BASE64 },
        image_artifact: { type: 'string', pattern: SHA256_PATTERN },
        audio_wav_base64: { type: 'string', minLength: 1, pattern: BASE64 },
        audio_wav_artifact: { type: 'string', pattern: SHA256_PATTERN },
        json: {},
      },
    },
    placement: {
      type: 'object',
      required: ['mode'],
      additionalProperties: false,
      properties: {
        mode: { enum: ['pin', 'prefer', 'auto'] },
        pin_pool_id: { type: 'string', pattern: ID_PATTERN },
        // One preferred pool: the router tries one preferred engine, then falls back by its own order.
        prefer_pools: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'string', pattern: ID_PATTERN } },
        allow_fallback: { type: 'boolean' },
      },
    },
    seed: { type: 'integer', minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
    stop: { type: 'array', maxItems: 8, items: { type: 'string' } },
    idempotent: { type: 'boolean' },
  },
} as const;

export interface TaskRequestBody {
  task_id?: string;
  session_id?: string;
  workload?: Workload;
  model_ref: string;
  priority?: 'interactive' | 'batch';
  max_tokens?: number;
  deadline_ms?: number;
  prompt?: string;
  messages?: { role: 'system' | 'user' | 'assistant'; content: string }[];
  inputs?: { texts?: string[]; image_base64?: string; image_artifact?: string; audio_wav_base64?: string; audio_wav_artifact?: string; json?: unknown };
  placement?: { mode: 'pin' | 'prefer' | 'auto'; pin_pool_id?: string; prefer_pools?: string[]; allow_fallback?: boolean };
  seed?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  idempotent?: boolean;
}

function artifactBytes(artifacts: ArtifactStore, id: string, field: string): Buffer {
  const artifact = artifacts.get(id);
  if (!artifact) throw httpError('NOT_FOUND', `${field}: no artifact ${id}`, { details: { field } });
  return artifact.bytes;
}

function inputOf(body: TaskRequestBody, artifacts: ArtifactStore): EngineInput {
  const sources = [body.prompt !== undefined, body.messages !== undefined, body.inputs !== undefined].filter(Boolean).length;
  if (sources !== 1) {
    throw httpError('INVALID_PARAMS', 'body: exactly one of prompt, messages or inputs is required', { details: { field: 'prompt|messages|inputs', found: `${sources} given` } });
  }
  if (body.prompt !== undefined) return { kind: 'text', prompt: body.prompt };
  if (body.messages !== undefined) return { kind: 'text', messages: body.messages };
  const inputs = body.inputs!;
  if (inputs.texts) return { kind: 'texts', texts: inputs.texts };
  if (inputs.image_base64 !== undefined) return { kind: 'image', data: new Uint8Array(Buffer.from(inputs.image_base64, 'base64')) };
  if (inputs.image_artifact !== undefined) return { kind: 'image', data: new Uint8Array(artifactBytes(artifacts, inputs.image_artifact, 'inputs.image_artifact')) };
  if (inputs.audio_wav_base64 !== undefined) return { kind: 'audio', ...monoAudio(Buffer.from(inputs.audio_wav_base64, 'base64'), 'inputs.audio_wav_base64') };
  if (inputs.audio_wav_artifact !== undefined) {
    return { kind: 'audio', ...monoAudio(artifactBytes(artifacts, inputs.audio_wav_artifact, 'inputs.audio_wav_artifact'), 'inputs.audio_wav_artifact') };
  }
  // A JSON tensor that does not add up (or has a key besides dims, data, type) is a 400 now, not a failed task later.
  jsonTensor(inputs.json, 'inputs.json');
  return { kind: 'json', value: inputs.json };
}

/** WAV bytes -> mono samples through core's reader; a malformed file is INVALID_INPUT naming the field. */
export function monoAudio(bytes: Uint8Array, field: string): { samples: Float32Array; sampleRate: number } {
  let wav;
  try {
    wav = readWav(bytes);
  } catch (error) {
    const reason = error instanceof WavFormatError ? error.message : 'malformed WAV data';
    throw new InvalidInputError({ message: `${field}: ${reason}`, field, expected: 'a RIFF/WAVE file (PCM 8/16/24/32-bit or float)' });
  }
  if (wav.channels < 1 || wav.sampleRate < 1) throw new InvalidInputError({ message: `${field}: WAV header declares ${wav.channels} channel(s) at ${wav.sampleRate} Hz`, field, expected: '>= 1 channel, sample rate > 0' });
  if (wav.channels === 1) return { samples: wav.samples, sampleRate: wav.sampleRate };
  const frames = Math.floor(wav.samples.length / wav.channels);
  const samples = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame += 1) {
    let sum = 0;
    for (let channel = 0; channel < wav.channels; channel += 1) sum += wav.samples[frame * wav.channels + channel]!;
    samples[frame] = sum / wav.channels;
  }
  return { samples, sampleRate: wav.sampleRate };
}

/**
 * The placement of a task. Its pools are checked against the server's engines (`pools`; none known = not checked)
 * before admission: an unknown pool, or one that contradicts the `engine:` prefix of `model_ref`, is a 400 naming the
 * field (and never becomes a metrics label).
 */
function placementOf(placement: NonNullable<TaskRequestBody['placement']>, modelRef: string, pools: readonly string[]): Placement {
  if (placement.mode === 'pin' && placement.pin_pool_id === undefined) {
    throw httpError('INVALID_PARAMS', 'placement: mode "pin" needs pin_pool_id', { details: { field: 'placement.pin_pool_id', pointer: '/placement/pin_pool_id' } });
  }
  const named = placement.mode === 'pin' ? [{ pool: placement.pin_pool_id!, field: 'placement.pin_pool_id', pointer: '/placement/pin_pool_id' }] : (placement.prefer_pools ?? []).map((pool, i) => ({ pool, field: `placement.prefer_pools[${i}]`, pointer: `/placement/prefer_pools/${i}` }));
  if (pools.length > 0) {
    const colon = modelRef.indexOf(':');
    const prefix = colon > 0 && pools.includes(modelRef.slice(0, colon)) ? modelRef.slice(0, colon) : undefined;
    for (const { pool, field, pointer } of named) {
      if (!pools.includes(pool)) throw httpError('INVALID_PARAMS', `body${pointer}: no pool '${pool.slice(0, 64)}' (pools: ${pools.join(', ')})`, { details: { field, pointer, expected: `one of ${pools.join(', ')}` } });
      if (prefix !== undefined && pool !== prefix) throw httpError('INVALID_PARAMS', `body${pointer}: pool '${pool}' contradicts model_ref '${modelRef}', which names engine '${prefix}'`, { details: { field, pointer, expected: prefix } });
    }
  }
  const engine = named[0]?.pool;
  return { mode: placement.mode, ...(engine !== undefined ? { engine } : {}), allowFallback: placement.mode === 'pin' ? false : (placement.allow_fallback ?? true) };
}

/** Validated body -> scheduler task spec (inputs decoded, defaults applied). */
export function toTaskSpec(body: TaskRequestBody, artifacts: ArtifactStore, telemetry: TaskTelemetry | string, pools: readonly string[] = []): TaskSpec {
  const input = inputOf(body, artifacts);
  const workload: Workload = body.workload ?? (input.kind === 'text' ? 'completion' : input.kind === 'texts' ? 'embedding' : 'inference');
  const parameters: GenerationParameters = {
    ...(body.max_tokens !== undefined ? { maxTokens: body.max_tokens } : {}),
    ...(body.seed !== undefined ? { seed: body.seed } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
    ...(body.stop !== undefined ? { stop: body.stop } : {}),
  };
  return {
    taskId: body.task_id ?? randomUUID(),
    ...(body.session_id !== undefined ? { sessionId: body.session_id } : {}),
    workload,
    modelRef: body.model_ref,
    priority: body.priority ?? 'interactive',
    input,
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...(body.placement ? { placement: placementOf(body.placement, body.model_ref, pools) } : {}),
    ...(body.deadline_ms !== undefined ? { deadlineMs: body.deadline_ms } : {}),
    ...(typeof telemetry === 'string' ? { correlationId: telemetry } : telemetry),
    stream: workload === 'completion',
    ...(body.idempotent !== undefined ? { idempotent: body.idempotent } : {}),
  };
}
