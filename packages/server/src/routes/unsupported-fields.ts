import { httpError } from '../http-error.js';

/** True when a field's value would change the answer (so it cannot be accepted and ignored). */
export type ChangesAnswer = (value: unknown) => boolean;

const namesOf = new WeakMap<object, readonly string[]>();
/** A table's field names, listed once (not an Object.entries array per request). */
function fieldNames(fields: Readonly<Record<string, ChangesAnswer>>): readonly string[] {
  let names = namesOf.get(fields);
  if (!names) namesOf.set(fields, (names = Object.keys(fields)));
  return names;
}

/**
 * The one "nothing silently dropped" gate of the OpenAI-shaped routes: a field no engine behind the gateway
 * implements is a 400 naming it and the model, or, when the caller opted in (`drop_params`), dropped and returned
 * in the list (it becomes the `x-switchyard-dropped-params` header). Null/absent values and values that change
 * nothing pass.
 */
export function refuseOrDrop(body: Readonly<Record<string, unknown>>, fields: Readonly<Record<string, ChangesAnswer>>, model: string, dropParams: boolean): string[] {
  const dropped: string[] = [];
  // Most bodies name none of these fields: one pass over the body's few keys says so without a lookup per field.
  if (!namesAnyOf(body, fields)) return dropped;
  for (const field of fieldNames(fields)) {
    const value = body[field];
    if (value === undefined || value === null || !fields[field]!(value)) continue;
    if (dropParams) dropped.push(field);
    else {
      throw httpError('UNSUPPORTED', `'${field}' is not supported for model '${model}' by this gateway (send drop_params: true to drop it)`, {
        details: { field, found: JSON.stringify(value).slice(0, 80) },
      });
    }
  }
  return dropped;
}

function namesAnyOf(body: Readonly<Record<string, unknown>>, fields: Readonly<Record<string, ChangesAnswer>>): boolean {
  for (const key in body) if (Object.hasOwn(fields, key)) return true;
  return false;
}
