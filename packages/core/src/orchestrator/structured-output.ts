import { Ajv, type ValidateFunction } from 'ajv';
import type { EngineInput, ResponseFormat } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';

type JsonFormat = Extract<ResponseFormat, { type: 'json' }>;

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
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
export function withCorrection(input: EngineInput, previous: string, problem: string): EngineInput {
  if (input.kind !== 'text') return input;
  const turns = [...(input.messages ?? []), ...(input.prompt !== undefined ? [{ role: 'user' as const, content: input.prompt }] : [])];
  const { prompt: _prompt, ...rest } = input;
  return {
    ...rest,
    messages: [...turns, { role: 'assistant', content: previous }, { role: 'user', content: `That answer was invalid (${problem}). Reply again with the JSON only.` }],
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
  const validate = validatorFor(format.schema);
  if (validate(value)) return { ok: true, text: trimmed };
  const first = validate.errors?.[0];
  return { ok: false, problem: `${first?.instancePath || '/'} ${first?.message ?? 'does not match the schema'}` };
}

export function outputInvalidError(engine: string, model: string, problem: string): SwitchyardError {
  return new SwitchyardError({
    code: 'OUTPUT_INVALID',
    message: `Model '${model}' on engine '${engine}' did not produce output matching response_format after a retry: ${problem}`,
    details: { engine, model, field: 'response_format', found: problem },
  });
}
