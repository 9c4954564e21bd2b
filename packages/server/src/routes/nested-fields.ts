import type { ChatContentPart, ChatImagePart, ToolChoice } from '@switchyard/core';
import { httpError } from '../http-error.js';
import type { ChangesAnswer } from './unsupported-fields.js';

/** One request's nested-field check: the model (for messages) and whether the caller opted into dropping. */
export interface NestedFieldCheck {
  readonly model: string;
  readonly dropParams: boolean;
  /** Dropped nested fields (`messages[2].content[0].cache_control`), for the dropped-params header. */
  readonly dropped: string[];
}

/** `messages[2].content[0].x` -> `/messages/2/content/0/x` (the JSON pointer of a dotted field path). */
export function pointerOf(path: string): string {
  return `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;
}

/** A field the API does not have at all: always a 400 naming it. */
export function unknownField(path: string, what: string): Error {
  return httpError('INVALID_PARAMS', `body${pointerOf(path)} is not a field of ${what}`, { details: { field: path, pointer: pointerOf(path) } });
}

/** A field of the API that no engine behind the gateway implements; content (never dropped) when `droppable` is false. */
export function unsupportedField(path: string, model: string, droppable = true): Error {
  const hint = droppable ? ' (send drop_params: true to drop it)' : '';
  return httpError('UNSUPPORTED', `'${path}' is not supported for model '${model}' by this gateway${hint}`, { details: { field: path, pointer: pointerOf(path) } });
}

/**
 * Checks the keys of one nested object: `allowed` ones pass, `known` ones (fields of the API the gateway cannot
 * honour) are refused with UNSUPPORTED or, on opt-in, deleted and listed; anything else is INVALID_PARAMS.
 */
export function checkKeys(
  object: Record<string, unknown>,
  path: string,
  what: string,
  allowed: ReadonlySet<string>,
  known: Readonly<Record<string, ChangesAnswer>>,
  check: NestedFieldCheck,
): void {
  for (const key in object) {
    if (allowed.has(key)) continue;
    const field = `${path}.${key}`;
    const changes = Object.hasOwn(known, key) ? known[key] : undefined;
    if (!changes) throw unknownField(field, what);
    const value = object[key];
    if (value === undefined || value === null || !changes(value)) continue;
    if (!check.dropParams) throw unsupportedField(field, check.model);
    check.dropped.push(field);
    delete object[key];
  }
}

/** Fields of the API whose any value would change the answer. */
export const ALWAYS: ChangesAnswer = () => true;

/** What joins text parts into `content` for engines that read only `content` (documented in docs/server.md). */
export const TEXT_PART_SEPARATOR = '\n';

/**
 * A turn's content from its parts in order: `content` (text parts joined with a newline) and `images` for engines
 * that read only those, `parts` when the order or the boundaries carry meaning (several parts, or an image).
 */
export function contentFromParts(parts: readonly ChatContentPart[]): { content: string; images?: ChatImagePart[]; parts?: ChatContentPart[] } {
  const texts: string[] = [];
  const images: ChatImagePart[] = [];
  for (const part of parts) {
    if (part.type === 'text') texts.push(part.text);
    else images.push(part.detail ? { url: part.url, detail: part.detail } : { url: part.url });
  }
  const content = texts.join(TEXT_PART_SEPARATOR);
  if (parts.length <= 1 && images.length === 0) return { content };
  return images.length > 0 ? { content, images, parts: [...parts] } : { content, parts: [...parts] };
}

/**
 * A `tool_choice` that makes the model call a tool needs that tool among `tools`, as OpenAI and Anthropic refuse it:
 * otherwise the choice could not be honoured (the model would answer without, or call another tool). `auto` and
 * `none` without tools change nothing and are accepted.
 */
export function checkToolChoiceTools(choice: ToolChoice | undefined, tools: readonly { name: string }[] | undefined, fields: { choice: string; name: string; tools?: string }): void {
  if (choice === undefined || choice === 'auto' || choice === 'none') return;
  const toolsField = fields.tools ?? 'tools';
  if (!tools?.length) {
    throw httpError('INVALID_PARAMS', `body/${fields.choice} makes the model call a tool, but body/${toolsField} is missing or empty`, { details: { field: fields.choice, pointer: pointerOf(fields.choice) } });
  }
  if (typeof choice === 'object' && !tools.some((tool) => tool.name === choice.name)) {
    throw httpError('INVALID_PARAMS', `body/${fields.name} '${choice.name}' is not a tool of body/${toolsField} (${tools.map((tool) => `'${tool.name}'`).join(', ')})`, {
      details: { field: fields.name, pointer: pointerOf(fields.name) },
    });
  }
}

/**
 * Tool names are unique, as Anthropic and OpenAI require: a call names its tool, so two tools of one name would
 * leave which one was called (and with which schema) a guess. `nameField(i)` is the face's field of tool i's name.
 */
export function checkToolNamesUnique(tools: readonly { name: string }[] | undefined, nameField: (index: number) => string): void {
  const first = new Map<string, number>();
  tools?.forEach((tool, index) => {
    const earlier = first.get(tool.name);
    if (earlier !== undefined) {
      const field = nameField(index);
      throw httpError('INVALID_PARAMS', `body/${field} '${tool.name}' is the name of body/${nameField(earlier)} too (tool names must be unique)`, { details: { field, pointer: pointerOf(field) } });
    }
    first.set(tool.name, index);
  });
}
