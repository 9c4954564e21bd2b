import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError, type CallOptions, type InferenceRequest, type InferenceResult, type InferenceStreamPart } from '@switchyard/core';
import { createServer, type SwitchyardServer } from '../create-server.js';
import type { ServerConfig } from '../server-config.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';
import { scriptedOrchestrator } from '../test-support/scripted-orchestrator.js';
import { readSseFrames } from '../test-support/sse-client.js';

const servers: SwitchyardServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close({ deadlineMs: 50 });
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function double() {
  return new OrchestratorDouble({
    echo: {},
    words: { tokens: ['one', ' two', ' three', ' four'] },
    broken: { tokens: ['a', 'b', 'c'], error: new SwitchyardError({ code: 'PROVIDER_ERROR', message: 'upstream went away', retriable: true }), failAfterTokens: 2 },
  });
}

async function start(config: ServerConfig = {}, orchestrator = double()) {
  const server = await createServer({ orchestrator, config, env: {}, defaultMetrics: false });
  servers.push(server);
  return { server, orchestrator, app: server.app };
}

const post = (payload: Record<string, unknown>) => ({ method: 'POST' as const, url: '/v1/responses', payload });

/** An engine that says something, then calls a tool (run and stream), recording what it was asked. */
function talksThenCalls() {
  const requests: InferenceRequest[] = [];
  const orchestrator = scriptedOrchestrator({
    run: (request) => {
      requests.push(request);
      return { output: { kind: 'text', text: 'Let me look.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] }, usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'tool-calls' };
    },
    async *stream(request) {
      requests.push(request);
      yield { type: 'delta', kind: 'text', text: 'Let me look.' };
      yield { type: 'tool-call-start', id: 'call_1', name: 'weather', index: 0 };
      yield { type: 'tool-call-delta', id: 'call_1', argumentsDelta: '{"city":"Oslo"}' };
      yield { type: 'tool-call-end', id: 'call_1' };
      yield { type: 'finish', usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'tool-calls' };
    },
  });
  return { orchestrator, requests };
}

describe('POST /v1/responses', () => {
  it('max_output_tokens cut short is status incomplete with the reason, as the API has it', async () => {
    const { app } = await start();
    const response = await app.inject(post({ model: 'words', input: 'x', max_output_tokens: 2 }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [{ type: 'message', content: [{ text: 'one two' }] }] });
  });

  it('input items are checked one by one: an unsupported item or content type is a 400 naming it', async () => {
    const { app } = await start();
    const reasoning = await app.inject(post({ model: 'echo', input: [{ role: 'user', content: 'hi' }, { type: 'reasoning', id: 'rs_1', summary: [] }] }));
    expect(reasoning.statusCode).toBe(400);
    expect(reasoning.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'input[1].type' } });
    const file = await app.inject(post({ model: 'echo', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }));
    expect(file.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'input[0].content[0].type' } });
    const call = await app.inject(post({ model: 'echo', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }));
    expect(call.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'input[0].call_id' } });
    const deferred = await app.inject(post({ model: 'echo', input: 'x', tools: [{ type: 'function', name: 'f', parameters: {}, defer_loading: true }] }));
    expect(deferred.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'tools[0].defer_loading' } });
    const empty = await app.inject(post({ model: 'echo', input: [] }));
    expect(empty.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'input' } });
  });

  it('function_call items after an assistant message join its turn; outputs become tool turns', async () => {
    const { app, orchestrator } = await start();
    await app.inject(
      post({
        model: 'echo',
        instructions: 'sys',
        input: [
          { role: 'developer', content: 'dev' },
          { role: 'user', content: [{ type: 'input_text', text: 'look ' }, { type: 'input_image', image_url: 'https://example.test/a.png', detail: 'low' }] },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling', annotations: [] }] },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
          { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'one' },
          { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
        ],
      }),
    );
    expect(orchestrator.calls.at(-1)!.request.input).toEqual({
      kind: 'text',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'system', content: 'dev', developer: true },
        {
          role: 'user',
          content: 'look ',
          images: [{ url: 'https://example.test/a.png', detail: 'low' }],
          parts: [{ type: 'text', text: 'look ' }, { type: 'image', url: 'https://example.test/a.png', detail: 'low' }],
        },
        { role: 'assistant', content: 'calling', toolCalls: [{ id: 'c1', name: 'f', arguments: '{"a":1}' }, { id: 'c2', name: 'g', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'c1', content: 'one' },
        { role: 'tool', toolCallId: 'c2', content: 'two' },
      ],
    });
  });

  it('a stream that fails after its first tokens ends with response.failed and an error event', async () => {
    const { server } = await start();
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'broken', input: 'x', stream: true }) });
    expect(response.status).toBe(200);
    const frames = [];
    for await (const frame of readSseFrames(response.body!)) frames.push(frame);
    expect(frames.map((frame) => frame.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.failed',
      'error',
    ]);
    expect(frames.map((frame) => frame.data.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(frames.at(-2)!.data).toMatchObject({ response: { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'upstream went away' } } });
    expect(frames.at(-1)!.data).toMatchObject({ type: 'error', code: 'PROVIDER_ERROR', message: 'upstream went away' });
    // The failed response carries what was streamed (as OpenAI's does): the open message, incomplete, with its text.
    const itemId = (frames[2]!.data.item as { id: string }).id;
    expect((frames.at(-2)!.data.response as { output: unknown[] }).output).toEqual([
      { id: itemId, type: 'message', status: 'incomplete', role: 'assistant', content: [{ type: 'output_text', text: 'ab', annotations: [], logprobs: [] }] },
    ]);
  });

  it('item_reference: an output item of a stored response (answered whole or streamed) comes back as that item', async () => {
    const { orchestrator, requests } = talksThenCalls();
    const server = await createServer({ orchestrator, config: {}, env: {}, defaultMetrics: false });
    servers.push(server);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const answered = (await server.app.inject(post({ model: 'm', input: 'weather?' }))).json() as { id: string; output: { id: string }[] };
    const streamed = await fetch(`${url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', input: 'weather?', stream: true }) });
    const frames = [];
    for await (const frame of readSseFrames(streamed.body!)) frames.push(frame);
    const streamedIds = frames.filter((frame) => frame.event === 'response.output_item.added').map((frame) => (frame.data.item as { id: string }).id);
    expect((frames.at(-1)!.data.response as { output: { id: string }[] }).output.map((item) => item.id)).toEqual(streamedIds);
    for (const ids of [answered.output.map((item) => item.id), streamedIds]) {
      const response = await server.app.inject(
        post({
          model: 'm',
          input: [
            { role: 'user', content: 'weather?' },
            { type: 'item_reference', id: ids[0] },
            { type: 'item_reference', id: ids[1] },
            { type: 'function_call_output', call_id: 'call_1', output: '18C' },
          ],
        }),
      );
      expect(response.statusCode).toBe(200);
      expect(requests.at(-1)!.input).toEqual({
        kind: 'text',
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' }] },
          { role: 'tool', toolCallId: 'call_1', content: '18C' },
        ],
      });
    }
  });

  it('item_reference to an item that is not stored is a 400 naming input[i].id and saying why', async () => {
    const { app } = await start();
    const unstored = (await app.inject(post({ model: 'echo', input: 'a', store: false }))).json() as { id: string; output: { id: string }[] };
    const deleted = (await app.inject(post({ model: 'echo', input: 'b' }))).json() as { id: string; output: { id: string }[] };
    expect((await app.inject({ method: 'DELETE', url: `/v1/responses/${deleted.id}` })).statusCode).toBe(200);
    const kept = (await app.inject(post({ model: 'echo', input: 'c' }))).json() as { id: string };
    const refer = (id: unknown) => app.inject(post({ model: 'echo', input: [{ role: 'user', content: 'x' }, { type: 'item_reference', id }] }));
    const cases: [unknown, string][] = [
      [unstored.output[0]!.id, `item '${unstored.output[0]!.id}' is of response '${unstored.id}', which is not stored (it was created with store: false, was deleted or has expired)`],
      [deleted.output[0]!.id, `is of response '${deleted.id}', which is not stored`],
      [`msg_${kept.id.slice(5)}_7`, `response '${kept.id}' has no output item 'msg_${kept.id.slice(5)}_7'`],
      ['msg_abc', "'msg_abc' is not an output item id this gateway can resolve"],
      ['', 'must be a non-empty string'],
      [`msg_${'x'.repeat(100_000)}`, `'msg_${'x'.repeat(124)}...' is not an output item id this gateway can resolve`],
    ];
    for (const [id, why] of cases) {
      const response = await refer(id);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'input[1].id' } });
      expect(response.json().message).toContain(why);
      expect(response.json().message).toMatch(/^body\/input\[1\]\.id/);
      expect(response.body.length).toBeLessThan(2000);
    }
    // An item is in the conversation once: not referenced twice, nor when previous_response_id already brings it in.
    const keptItem = `msg_${kept.id.slice(5)}_0`;
    const twice = await app.inject(post({ model: 'echo', input: [{ type: 'item_reference', id: keptItem }, { type: 'item_reference', id: keptItem }] }));
    expect(twice.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'input[1].id' }, message: expect.stringContaining('referenced twice (also by input[0].id)') });
    const next = (await app.inject(post({ model: 'echo', input: 'd', previous_response_id: kept.id }))).json() as { id: string };
    const continued = await app.inject(post({ model: 'echo', previous_response_id: next.id, input: [{ type: 'item_reference', id: keptItem }, { role: 'user', content: 'e' }] }));
    expect(continued.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'input[0].id' }, message: expect.stringContaining('already in the conversation previous_response_id continues') });
    const extra = await app.inject(post({ model: 'echo', input: [{ type: 'item_reference', id: 'msg_x', status: 'completed' }] }));
    expect(extra.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/input/0/status' } });
  });

  it('a chain of responses is one session: its turn limit applies (429 ADMISSION_REJECT)', async () => {
    const { app } = await start({ sessions: { maxTurns: 2 } });
    const first = (await app.inject(post({ model: 'echo', input: 'a' }))).json() as { id: string };
    const second = (await app.inject(post({ model: 'echo', input: 'b', previous_response_id: first.id }))).json() as { id: string };
    const third = await app.inject(post({ model: 'echo', input: 'c', previous_response_id: second.id }));
    expect(third.statusCode).toBe(429);
    expect(third.json()).toMatchObject({ code: 'ADMISSION_REJECT', details: { field: 'session_id' } });
    expect((await app.inject({ method: 'GET', url: `/v2/sessions/${first.id}` })).json()).toMatchObject({ turns: 2, max_turns: 2 });
  });

  it('a chain stores each turn once and is read back whole; a deleted earlier response breaks it with a 400 naming it', async () => {
    const { app, orchestrator, server } = await start();
    let previous: string | undefined;
    const ids: string[] = [];
    for (const word of ['a', 'b', 'c']) {
      const response = (await app.inject(post({ model: 'echo', input: word, ...(previous ? { previous_response_id: previous } : {}) }))).json() as { id: string };
      ids.push(response.id);
      previous = response.id;
    }
    expect(orchestrator.calls.at(-1)!.request.input).toEqual({
      kind: 'text',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'b' },
        { role: 'user', content: 'c' },
      ],
    });
    // Linear storage: the third response keeps its own two turns, not the whole conversation.
    expect(server.state.getResponse<{ turns: unknown[]; previous: string }>(ids[2]!)).toMatchObject({ turns: [{ content: 'c' }, { content: 'c' }], previous: ids[1] });
    expect((await app.inject({ method: 'DELETE', url: `/v1/responses/${ids[0]}` })).json()).toEqual({ id: ids[0], object: 'response', deleted: true });
    const broken = await app.inject(post({ model: 'echo', input: 'd', previous_response_id: ids[2] }));
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'previous_response_id' } });
    expect(broken.json().message).toContain(`the earlier response '${ids[0]}' of its conversation is no longer stored`);
  });

  it('stored responses survive a restart on the same dataDir and can be continued', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sy-responses-'));
    dirs.push(dataDir);
    const before = await start({ dataDir });
    const first = (await before.app.inject(post({ model: 'echo', input: 'red green' }))).json() as { id: string };
    await before.server.close({ deadlineMs: 50 });
    servers.splice(servers.indexOf(before.server), 1);

    const after = await start({ dataDir });
    expect((await after.app.inject({ method: 'GET', url: `/v1/responses/${first.id}` })).json()).toMatchObject({ id: first.id, output: [{ content: [{ text: 'red green' }] }] });
    const next = await after.app.inject(post({ model: 'echo', input: 'blue', previous_response_id: first.id }));
    expect(next.statusCode).toBe(200);
    expect(after.orchestrator.calls.at(-1)!.request.input).toEqual({
      kind: 'text',
      messages: [
        { role: 'user', content: 'red green' },
        { role: 'assistant', content: 'red green' },
        { role: 'user', content: 'blue' },
      ],
    });
  });

  it('echoes what was applied: parameters the engine dropped show their defaults (answer, stream, stored)', async () => {
    const dropped = ['reasoningEffort', 'serviceTier', 'parallelToolCalls'];
    class DroppingDouble extends OrchestratorDouble {
      override async run(request: InferenceRequest, options?: CallOptions): Promise<InferenceResult> {
        return { ...(await super.run(request, options)), droppedParameters: dropped };
      }
      override async *stream(request: InferenceRequest, options?: CallOptions): AsyncIterable<InferenceStreamPart> {
        yield { type: 'parameters-dropped', parameters: dropped };
        yield* super.stream(request, options);
      }
    }
    const { server, app } = await start({}, new DroppingDouble({ echo: {} }));
    const body = { model: 'echo', input: 'x', reasoning: { effort: 'low' }, service_tier: 'flex', parallel_tool_calls: false, temperature: 0.5, drop_params: true };
    const answer = await app.inject(post(body));
    expect(answer.headers['x-switchyard-dropped-params']).toBe('reasoning.effort, service_tier, parallel_tool_calls');
    const applied = { reasoning: { effort: null }, service_tier: 'default', parallel_tool_calls: true, temperature: 0.5 };
    expect(answer.json()).toMatchObject(applied);
    expect((await app.inject({ method: 'GET', url: `/v1/responses/${answer.json().id}` })).json()).toMatchObject(applied);
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
    const frames = [];
    for await (const frame of readSseFrames(response.body!)) frames.push(frame);
    expect(frames[0]!.data.response).toMatchObject(applied);
    expect(frames.at(-1)!.data.response).toMatchObject(applied);
  });
});
