import { httpError } from '../http-error.js';
import type { StoredResponse } from '../response-store.js';
import type { InputItem, ItemResolver } from './openai-responses-request.js';

/** One item of a response's input as `GET /v1/responses/{id}/input_items` lists it (OpenAI's ResponseItem). */
export type ListedInputItem = Record<string, unknown> & { id: string; type: string };

const PREFIX: Readonly<Record<string, 'msg' | 'fc' | 'fco'>> = { message: 'msg', function_call: 'fc', function_call_output: 'fco' };

/**
 * An input item's id names its response and place in `input` (`msg_<response>_in<index>`), apart from the
 * output items' `msg_<response>_<index>`, so both resolve through the response store alone.
 */
export const inputItemId = (type: string, responseId: string, index: number): string => `${PREFIX[type] ?? 'msg'}_${responseId.replace(/^resp_/, '')}_in${index}`;

/** Records what each `item_reference` resolved to (keyed by its field, `input[2].id`), for the listed input. */
export function recordingResolver(resolve: ItemResolver): { resolve: ItemResolver; resolved: ReadonlyMap<string, InputItem> } {
  const resolved = new Map<string, InputItem>();
  return {
    resolved,
    resolve: (id, where) => {
      const item = resolve(id, where);
      resolved.set(where, item);
      return item;
    },
  };
}

/**
 * A request's `input` as OpenAI lists it: a string is one user message of an `input_text` part, a plain
 * `{role, content}` is a message, string content is one text part, an `item_reference` is the item it named; an
 * item keeps the id it was sent with (an echoed output item), else gets its own. Instructions are not input items.
 */
export function listedInputItems(input: string | InputItem[] | undefined, responseId: string, resolved: ReadonlyMap<string, InputItem>): ListedInputItem[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ id: inputItemId('message', responseId, 0), type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: input }] }];
  return input.map((given, index) => {
    const item = given.type === 'item_reference' ? (resolved.get(`input[${index}].id`) ?? given) : given;
    const type = item.type ?? 'message';
    const { id, type: _type, status, content, ...rest } = item;
    const listed: ListedInputItem = { id: typeof id === 'string' && id !== '' ? id : inputItemId(type, responseId, index), type, ...rest };
    if (type === 'message') listed.content = typeof content === 'string' ? [item.role === 'assistant' ? { type: 'output_text', text: content, annotations: [] } : { type: 'input_text', text: content }] : content;
    listed.status = status ?? 'completed';
    return listed;
  });
}

/** The query parameters of OpenAI's input item list (InputItemListParams). */
const QUERY_KEYS = new Set(['limit', 'order', 'after', 'include', 'include[]']);

const invalid = (field: string, message: string, found?: string) => httpError('INVALID_PARAMS', `querystring/${field} ${message}`, { details: { field, ...(found !== undefined ? { found: found.slice(0, 128) } : {}) } });

/** One query value: a repeated parameter (`?limit=1&limit=2`) is refused, not resolved by a guess. */
function single(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(key, 'must be given once');
  return value;
}

/**
 * `GET /v1/responses/{id}/input_items`: the stored response's own input items (not those of the responses
 * `previous_response_id` continued), `order` desc by default as OpenAI, `limit` 1..100 (default 20), `after` an
 * item id of the list; any other parameter or value is a 400 naming it.
 */
export function inputItemsPage(stored: StoredResponse, responseId: string, query: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(query)) if (!QUERY_KEYS.has(key)) throw invalid(key, `is not a parameter of this route (it takes limit, order, after)`);
  if (query.include !== undefined || query['include[]'] !== undefined) {
    throw httpError('UNSUPPORTED', 'include is not supported by this gateway on input item lists (no additional output data is kept)', { details: { field: 'include' } });
  }
  const limitText = single(query, 'limit');
  if (limitText !== undefined && !/^(?:[1-9]\d?|100)$/.test(limitText)) throw invalid('limit', 'must be an integer from 1 to 100', limitText);
  const limit = limitText === undefined ? 20 : Number(limitText);
  const order = single(query, 'order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw invalid('order', "must be 'asc' or 'desc'", order);
  const after = single(query, 'after');
  if (!stored.input) throw httpError('NOT_FOUND', `The input items of response '${responseId}' were not kept (it was stored before this gateway kept them)`, { details: { field: 'id' } });
  const items = order === 'asc' ? [...stored.input] : [...stored.input].reverse();
  let start = 0;
  if (after !== undefined) {
    const at = items.findIndex((item) => item.id === after);
    if (at < 0) throw invalid('after', `names no input item of response '${responseId}'`, after);
    start = at + 1;
  }
  const data = items.slice(start, start + limit);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < items.length };
}
