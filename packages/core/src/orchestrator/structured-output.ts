import { createHash } from 'node:crypto';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { EngineCapabilities, EngineInput, GenerationParameters, ResponseFormat, Usage } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { LruCache } from '../routing/lru-cache.js';
import { readsMessages } from './text-inputs.js';

export type JsonFormat = Extract<ResponseFormat, { type: 'json' }>;

/** Compiled response schemas kept (by a hash of their JSON text); the least recently used go first beyond this. */
export const RESPONSE_SCHEMA_CACHE_SIZE = 256;
/** The JSON text of the schemas kept may add up to this many bytes (each one counts its text length). */
export const RESPONSE_SCHEMA_CACHE_BYTES = 16 * 1024 * 1024;
/** The largest response schema accepted, as JSON text (OpenAI's own limits stay well below it). */
export const MAX_RESPONSE_SCHEMA_BYTES = 256 * 1024;

// ajv-formats is CommonJS: its default export is the plugin function (namespace-wrapped under some loaders).
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;
const OPTIONS: Options = { allErrors: true, strict: false, logger: false };
type Draft = 'draft-07' | '2019-09' | '2020-12';
const validators: Partial<Record<Draft, Ajv>> = {};
interface CompiledSchema {
  readonly validate: ValidateFunction;
  readonly bytes: number;
}
let cachedBytes = 0;
const compiled = new LruCache<string, CompiledSchema>(RESPONSE_SCHEMA_CACHE_SIZE, (_key, entry) => {
  cachedBytes -= entry.bytes;
});
/** The request's own schema object -> its validator: one stringify + hash per request, not one per check. */
const bySchemaObject = new WeakMap<object, ValidateFunction>();

/** The JSON Schema draft a schema declares with `$schema` (draft-07 when it declares none). */
function draftOf(schema: Readonly<Record<string, unknown>>): Draft | undefined {
  const declared = schema['$schema'];
  if (declared === undefined) return 'draft-07';
  if (typeof declared !== 'string') return undefined;
  if (/json-schema\.org\/draft-07\/schema/.test(declared)) return 'draft-07';
  if (/json-schema\.org\/draft\/2019-09\/schema/.test(declared)) return '2019-09';
  if (/json-schema\.org\/draft\/2020-12\/schema/.test(declared)) return '2020-12';
  return undefined;
}

function ajvFor(draft: Draft): Ajv {
  let ajv = validators[draft];
  if (!ajv) {
    ajv = addFormats(draft === '2020-12' ? new Ajv2020(OPTIONS) : draft === '2019-09' ? new Ajv2019(OPTIONS) : new Ajv(OPTIONS));
    validators[draft] = ajv;
  }
  return ajv;
}

/** The field structured-output errors name. Messages quote it as `'response_format'`, so a face whose field has
 * another name (`text.format` on /v1/responses) renames it in the message as it does in `details.field`. */
const FORMAT_FIELD = 'response_format';

function invalidSchema(problem: string): SwitchyardError {
  return new SwitchyardError({
    code: 'INVALID_INPUT',
    message: `'${FORMAT_FIELD}': the JSON Schema is not valid: ${problem}`,
    details: { field: FORMAT_FIELD, found: problem, expected: 'a JSON Schema (draft-07, 2019-09 or 2020-12)' },
  });
}

/**
 * Where a schema names a property `__proto__` (a key, or an entry of `required`), as a JSON pointer into it. Ajv
 * cannot check such a property: it reads the object's prototype in its place (so `{}` passes `required`) and
 * refuses every value given for it, so the schema is refused instead of validated wrongly.
 */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords whose values map names to schemas: their keys are names (a property may be called `const`). */
const MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

function protoPropertyPointer(value: unknown, pointer = '', names = false): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const schema = !names && !Array.isArray(value);
  for (const [key, item] of Object.entries(value)) {
    // Keywords whose values are data, not schemas: a `__proto__` inside them names no property.
    if (schema && DATA_KEYWORDS.has(key)) continue;
    const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key === '__proto__') return at;
    if (schema && key === 'required' && Array.isArray(item) && item.includes('__proto__')) return `${at}/${item.indexOf('__proto__')}`;
    const found = protoPropertyPointer(item, at, schema && MAP_KEYWORDS.has(key));
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The validator of a response schema, compiled once per distinct schema (by a hash of its JSON text; the cache is
 * bounded by count and by bytes). Ajv's own registry forgets the schema right after compiling: per-request schema
 * objects never pile up in it, and a schema with an `$id` can be sent again. An invalid, oversized or meta-schema-id
 * schema is the caller's INVALID_INPUT, found before any model runs.
 */
export function responseSchemaValidator(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  const known = bySchemaObject.get(schema);
  if (known) return known;
  const text = JSON.stringify(schema);
  if (text.length > MAX_RESPONSE_SCHEMA_BYTES) throw invalidSchema(`it is ${text.length} bytes as JSON; at most ${MAX_RESPONSE_SCHEMA_BYTES} are accepted`);
  const key = createHash('sha256').update(text).digest('base64');
  const cached = compiled.get(key);
  if (cached) {
    bySchemaObject.set(schema, cached.validate);
    return cached.validate;
  }
  const proto = protoPropertyPointer(schema);
  if (proto !== undefined) {
    throw new SwitchyardError({
      code: 'UNSUPPORTED',
      message: `'${FORMAT_FIELD}': the JSON Schema names a property '__proto__' (at ${proto}), which cannot be validated (the validator would read the object's prototype in its place); rename the property`,
      details: { field: FORMAT_FIELD, found: proto },
    });
  }
  const draft = draftOf(schema);
  if (!draft) throw invalidSchema(`$schema ${JSON.stringify(schema['$schema'])} is not a supported draft`);
  const ajv = ajvFor(draft);
  // An $id ajv already holds is one of its meta-schemas (ours are forgotten after compiling): never replace or remove it.
  const id = typeof schema['$id'] === 'string' ? schema['$id'].replace(/#$/, '') : undefined;
  if (id !== undefined && (ajv.schemas[id] !== undefined || ajv.refs[id] !== undefined)) throw invalidSchema(`$id '${id.slice(0, 200)}' is reserved (a JSON Schema meta-schema)`);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw invalidSchema((error as Error).message);
  } finally {
    ajv.removeSchema(schema);
  }
  compiled.set(key, { validate, bytes: text.length });
  cachedBytes += text.length;
  for (const oldest of compiled.keys()) {
    if (cachedBytes <= RESPONSE_SCHEMA_CACHE_BYTES || oldest === key) break;
    cachedBytes -= compiled.peek(oldest)!.bytes;
    compiled.delete(oldest);
  }
  bySchemaObject.set(schema, validate);
  return validate;
}

/** The JSON format a request asks for, if any (checked up front: an invalid schema fails before a model runs). */
export function requestedJsonFormat(parameters: GenerationParameters | undefined): JsonFormat | undefined {
  const format = parameters?.responseFormat;
  if (format?.type !== 'json') return undefined;
  if (format.schema) responseSchemaValidator(format.schema);
  return format;
}

/** The instruction an engine without native structured output gets, so it can produce what is validated. */
export function formatInstruction(format: JsonFormat): string {
  return format.schema
    ? `Answer with one JSON value only (no prose, no code fences) that validates against this JSON Schema: ${JSON.stringify(format.schema)}`
    : 'Answer with one JSON object only (no prose, no code fences).';
}

/** The input with the format instruction added to the system prompt. */
export function withFormatInstruction(input: EngineInput, format: JsonFormat): EngineInput {
  if (input.kind !== 'text') return input;
  const instruction = formatInstruction(format);
  return { ...input, system: input.system ? `${input.system}\n\n${instruction}` : instruction };
}

/** The input asking for a corrected answer after an invalid one. */
export function withCorrection(input: EngineInput, previous: string, problem: string, capabilities?: Pick<EngineCapabilities, 'textInputs'>): EngineInput {
  if (input.kind !== 'text') return input;
  const correction = `That answer was invalid (${problem}). Reply again with the JSON only.`;
  // An engine that reads no messages (`textInputs: ['prompt']`) gets the exchange as one prompt, the shape it takes.
  if (!readsMessages(capabilities)) {
    return { ...input, prompt: `${input.prompt ?? ''}\n\n${previous}\n\n${correction}\n` };
  }
  const turns = [...(input.messages ?? []), ...(input.prompt !== undefined ? [{ role: 'user' as const, content: input.prompt }] : [])];
  const { prompt: _prompt, ...rest } = input;
  return {
    ...rest,
    messages: [...turns, { role: 'assistant', content: previous }, { role: 'user', content: correction }],
  };
}

/** Checks model text against the format; returns the JSON text (code fences removed) or a problem description. */
export function checkFormatOutput(text: string, format: JsonFormat): { ok: true; text: string } | { ok: false; problem: string } {
  const trimmed = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  if (!format.schema) {
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ok: true, text: trimmed } : { ok: false, problem: 'not a JSON object' };
  }
  const validate = responseSchemaValidator(format.schema);
  if (validate(value)) return { ok: true, text: trimmed };
  const first = validate.errors?.[0];
  return { ok: false, problem: `${first?.instancePath || '/'} ${first?.message ?? 'does not match the schema'}` };
}

/** The usage of two calls made for one answer (a format retry): numeric fields add up, so both are billed. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b;
  if (!b) return a;
  const sum: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const before = sum[key];
    sum[key] = typeof value === 'number' && typeof before === 'number' ? before + value : (value ?? before);
  }
  return sum as Usage;
}

export function outputInvalidError(engine: string, model: string, problem: string, retried = true): SwitchyardError {
  return new SwitchyardError({
    code: 'OUTPUT_INVALID',
    message: `Model '${model}' on engine '${engine}' did not produce output matching '${FORMAT_FIELD}'${retried ? ' after a retry' : ''}: ${problem}`,
    details: { engine, model, field: FORMAT_FIELD, found: problem },
  });
}
