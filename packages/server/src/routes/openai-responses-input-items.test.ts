import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';

let server: SwitchyardServer;
let client: OpenAI;
let base: string;

beforeAll(async () => {
  server = await createServer({ orchestrator: new OrchestratorDouble({ echo: {} }), config: {}, env: {}, defaultMetrics: false });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

const hex = (id: string) => id.replace(/^resp_/, '');

describe('GET /v1/responses/{id}/input_items with the official openai client', () => {
  it('lists a string input as one user message, newest first by default', async () => {
    const response = await client.responses.create({ model: 'echo', input: 'hello there', instructions: 'be brief' });
    const page = await client.responses.inputItems.list(response.id);
    expect(page.data).toEqual([{ id: `msg_${hex(response.id)}_in0`, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'hello there' }] }]);
    expect(page.has_more).toBe(false);
  });

  it('items in order with their ids, limit/order/after paging, and only the response’s own items after previous_response_id', async () => {
    const first = await client.responses.create({ model: 'echo', input: 'first turn' });
    const input: OpenAI.Responses.ResponseInputItem[] = [
      { role: 'user', content: 'what is the weather' },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'and tomorrow?' }] },
    ];
    const second = await client.responses.create({ model: 'echo', input, previous_response_id: first.id });
    const id = hex(second.id);
    const asc = await client.responses.inputItems.list(second.id, { order: 'asc' });
    expect(asc.data).toEqual([
      { id: `msg_${id}_in0`, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'what is the weather' }] },
      { id: `fc_${id}_in1`, type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}', status: 'completed' },
      { id: `fco_${id}_in2`, type: 'function_call_output', call_id: 'call_1', output: 'sunny', status: 'completed' },
      { id: `msg_${id}_in3`, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'and tomorrow?' }] },
    ]);
    const desc = await client.responses.inputItems.list(second.id);
    expect(desc.data.map((item) => item.id)).toEqual([`msg_${id}_in3`, `fco_${id}_in2`, `fc_${id}_in1`, `msg_${id}_in0`]);

    const page = await client.responses.inputItems.list(second.id, { limit: 3, order: 'asc' });
    expect(page.data.map((item) => item.id)).toEqual([`msg_${id}_in0`, `fc_${id}_in1`, `fco_${id}_in2`]);
    expect(page.has_more).toBe(true);
    const raw = (await (await fetch(`${base}/v1/responses/${second.id}/input_items?limit=3&order=asc`)).json()) as Record<string, unknown>;
    expect(raw).toMatchObject({ object: 'list', first_id: `msg_${id}_in0`, last_id: `fco_${id}_in2`, has_more: true });
    const next = await page.getNextPage();
    expect(next.data.map((item) => item.id)).toEqual([`msg_${id}_in3`]);
    expect(next.has_more).toBe(false);
    const all = [];
    for await (const item of client.responses.inputItems.list(second.id, { limit: 1 })) all.push(item.id);
    expect(all).toEqual(desc.data.map((item) => item.id));
  });

  it('an echoed output item keeps its id; an item_reference is listed as the item it names and can name an input item', async () => {
    const first = await client.responses.create({ model: 'echo', input: 'ping' });
    const answer = first.output[0]!;
    const echoed = await client.responses.create({ model: 'echo', input: [answer as OpenAI.Responses.ResponseInputItem, { role: 'user', content: 'again' }] });
    const items = await client.responses.inputItems.list(echoed.id, { order: 'asc' });
    expect(items.data[0]).toMatchObject({ id: answer.id, type: 'message', role: 'assistant', status: 'completed' });
    const earlierInput = `msg_${hex(first.id)}_in0`;
    const referencing = await client.responses.create({ model: 'echo', input: [{ type: 'item_reference', id: earlierInput }, { type: 'item_reference', id: answer.id! }] });
    const listed = await client.responses.inputItems.list(referencing.id, { order: 'asc' });
    expect(listed.data).toEqual([
      { id: earlierInput, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'ping' }] },
      expect.objectContaining({ id: answer.id, type: 'message', role: 'assistant' }),
    ]);
  });

  it('a missing or deleted response is the 404 GET /v1/responses/{id} answers', async () => {
    const response = await client.responses.create({ model: 'echo', input: 'x' });
    await client.responses.delete(response.id);
    const deleted = await client.responses.inputItems.list(response.id).catch((error: unknown) => error);
    expect(deleted).toBeInstanceOf(OpenAI.NotFoundError);
    const get = await fetch(`${base}/v1/responses/${response.id}`);
    const list = await fetch(`${base}/v1/responses/${response.id}/input_items`);
    expect(list.status).toBe(404);
    expect(await list.json()).toEqual(await get.json());
    const unstored = await client.responses.create({ model: 'echo', input: 'x', store: false });
    expect((await fetch(`${base}/v1/responses/${unstored.id}/input_items`)).status).toBe(404);
  });

  it('refuses a bad value or an unknown parameter with a 400 naming it; include is UNSUPPORTED', async () => {
    const response = await client.responses.create({ model: 'echo', input: 'x' });
    const url = (query: string) => `${base}/v1/responses/${response.id}/input_items?${query}`;
    const cases: [string, string, string][] = [
      ['limit=0', 'INVALID_PARAMS', 'limit'],
      ['limit=101', 'INVALID_PARAMS', 'limit'],
      ['limit=1.5', 'INVALID_PARAMS', 'limit'],
      ['limit=1&limit=2', 'INVALID_PARAMS', 'limit'],
      ['order=newest', 'INVALID_PARAMS', 'order'],
      ['after=msg_nope', 'INVALID_PARAMS', 'after'],
      ['before=x', 'INVALID_PARAMS', 'before'],
      ['include[]=message.input_image.image_url', 'UNSUPPORTED', 'include'],
    ];
    for (const [query, code, param] of cases) {
      const answer = await fetch(url(query));
      const body = (await answer.json()) as { code: string; message: string; error: { param: string } };
      expect([query, answer.status, body.code, body.error.param]).toEqual([query, 400, code, param]);
      expect(body.message).toContain(param);
    }
    const viaClient = await client.responses.inputItems.list(response.id, { include: ['message.input_image.image_url'] }).catch((error: unknown) => error);
    expect(viaClient).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
