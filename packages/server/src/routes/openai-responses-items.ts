import { httpError } from '../http-error.js';
import type { ResponseStore } from '../response-store.js';
import type { InputItem, ItemResolver } from './openai-responses-request.js';

/**
 * Output item ids name their response and position (`msg_<response>_<index>` for `resp_<response>`), so an
 * `item_reference` resolves through the response store alone, and an item is gone exactly when its response is.
 */
export const outputItemId = (prefix: 'msg' | 'fc', responseId: string, index: number): string => `${prefix}_${responseId.replace(/^resp_/, '')}_${index}`;

const ITEM_ID = /^(?:msg|fc|fco)_([0-9a-f]{24})_(in)?\d{1,6}$/;

/** The response an output item id of this gateway belongs to, or undefined for any other id. */
export function responseIdOfItem(id: string): string | undefined {
  const match = ITEM_ID.exec(id);
  return match ? `resp_${match[1]}` : undefined;
}


/**
 * Resolves references to output items of stored responses, each once per request and none of the responses
 * `previous_response_id` already brings in (as OpenAI, which refuses a duplicate item); anything else is a 400
 * naming the reference and why.
 */
export function storedItemResolver(responses: ResponseStore, continued: ReadonlySet<string> = new Set()): ItemResolver {
  const referenced = new Map<string, string>();
  return (given, where) => {
    // The id is the client's: quoted at most 128 characters long (a megabyte of id is not echoed back).
    const id = given.length > 128 ? `${given.slice(0, 128)}...` : given;
    const refused = (why: string) => httpError('INVALID_PARAMS', `body/${where}: ${why}`, { details: { field: where, found: id } });
    const responseId = responseIdOfItem(given);
    if (responseId === undefined) throw refused(`'${id}' is not an output item id this gateway can resolve (its items are named 'msg_...' or 'fc_...' after their response; items of responses stored before item references were supported cannot be referenced: send the item itself)`);
    if (continued.has(responseId)) throw refused(`item '${id}' is already in the conversation previous_response_id continues (its response '${responseId}' is part of it); remove the reference`);
    const earlier = referenced.get(id);
    if (earlier !== undefined) throw refused(`item '${id}' is referenced twice (also by ${earlier}); remove the duplicate`);
    referenced.set(id, where);
    const stored = responses.get(responseId);
    if (!stored) throw refused(`item '${id}' is of response '${responseId}', which is not stored (it was created with store: false, was deleted or has expired)`);
    // `_in<index>` ids name the response's input items (GET /v1/responses/{id}/input_items), the others its output.
    const input = /_in\d+$/.test(given);
    const items = (input ? stored.input : stored.response.output) as InputItem[] | undefined;
    const item = items?.find((candidate) => candidate.id === given);
    if (!item) throw refused(`response '${responseId}' has no ${input ? 'input' : 'output'} item '${id}'`);
    return item;
  };
}
