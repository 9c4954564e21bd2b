import type { InferenceRequest, InferenceStreamPart } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { readSseFrames, type ParsedFrame } from '../test-support/sse-client.js';
import { scriptedOrchestrator } from '../test-support/scripted-orchestrator.js';

const lastTurn = (request: InferenceRequest) => (request.input.kind === 'text' ? (request.input.messages?.at(-1)?.content ?? '') : '');

/**
 * Streams what the OpenAI engine yields for parallel tool calls whose argument deltas interleave (upstream chunks
 * for index 0, 1, 0, 1; both calls end at finish_reason), optionally after some text and with the ends reversed.
 */
const parallelToolCalls = scriptedOrchestrator({
  engine: 'tools',
  run: (request) => {
    const malformed = lastTurn(request) === 'malformed';
    return {
      output: { kind: 'text', text: '', toolCalls: [{ id: 'call_a', name: 'weather', arguments: malformed ? '{"x": 1' : '{"x":1}' }] },
      usage: { inputTokens: 3, outputTokens: 4 },
      finishReason: 'tool-calls',
    };
  },
  async *stream(request): AsyncIterable<InferenceStreamPart> {
    const last = lastTurn(request);
    if (last === 'malformed') {
      yield { type: 'tool-call-start', id: 'call_a', name: 'weather', index: 0 };
      yield { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{"x":1}' };
      yield { type: 'tool-call-start', id: 'call_b', name: 'time', index: 1 };
      yield { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"y": 1' };
      yield { type: 'tool-call-end', id: 'call_a' };
      yield { type: 'tool-call-end', id: 'call_b' };
      yield { type: 'finish', usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'tool-calls' };
      return;
    }
    if (last.includes('text first')) yield { type: 'delta', kind: 'text', text: 'Checking.' };
    yield { type: 'tool-call-start', id: 'call_a', name: 'weather', index: 0 };
    yield { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '{"x":' };
    yield { type: 'tool-call-start', id: 'call_b', name: 'time', index: 1 };
    yield { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '{"y":' };
    yield { type: 'tool-call-delta', id: 'call_a', argumentsDelta: '1}' };
    yield { type: 'tool-call-delta', id: 'call_b', argumentsDelta: '2}' };
    const ends = last.includes('reversed') ? ['call_b', 'call_a'] : ['call_a', 'call_b'];
    for (const id of ends) yield { type: 'tool-call-end', id };
    yield { type: 'finish', usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'tool-calls' };
  },
});

let server: SwitchyardServer;
let url: string;
beforeAll(async () => {
  server = await createServer({ orchestrator: parallelToolCalls, env: {}, defaultMetrics: false });
  url = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

const body = (content: string) => ({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content }] });
const streamed = async (content: string) => {
  const response = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body(content), stream: true }) });
  const events: ParsedFrame[] = [];
  for await (const event of readSseFrames(response.body!)) events.push(event);
  return events;
};

/**
 * Assembles the content blocks as @anthropic-ai/sdk's MessageStream does, and fails where the SDK would: a block
 * started while another is open, started out of order, or a delta/stop for a block that is not the open one.
 */
function assemble(events: readonly ParsedFrame[]): unknown[] {
  const content: Record<string, unknown>[] = [];
  let open: number | undefined;
  let json = '';
  for (const { event, data } of events) {
    if (event === 'content_block_start') {
      expect(open, 'a block starts while another is open').toBeUndefined();
      expect(data.index).toBe(content.length);
      open = data.index as number;
      json = '';
      content.push({ ...(data.content_block as Record<string, unknown>) });
    } else if (event === 'content_block_delta') {
      expect(data.index, 'a delta for a block that is not the open one').toBe(open);
      const delta = data.delta as { type: string; text?: string; partial_json?: string };
      if (delta.type === 'text_delta') content[open!]!.text += delta.text!;
      else json += delta.partial_json!;
    } else if (event === 'content_block_stop') {
      expect(data.index, 'a stop for a block that is not the open one').toBe(open);
      if (content[open!]!.type === 'tool_use') content[open!]!.input = JSON.parse(json || '{}');
      open = undefined;
    }
  }
  expect(open, 'a block is still open at the end').toBeUndefined();
  return content;
}

const CALLS = [
  { type: 'tool_use', id: 'call_a', name: 'weather', input: { x: 1 } },
  { type: 'tool_use', id: 'call_b', name: 'time', input: { y: 2 } },
];

describe('streamed /v1/messages with parallel tool calls whose argument deltas interleave', () => {
  it('emits each tool_use block whole, in the order the calls started (the later one buffered)', async () => {
    const events = await streamed('two tools');
    expect(assemble(events)).toEqual(CALLS);
    expect(events.map((e) => `${e.event}${e.data.index !== undefined ? ` ${String(e.data.index)}` : ''}`)).toEqual([
      'message_start',
      'content_block_start 0',
      'content_block_delta 0',
      'content_block_delta 0',
      'content_block_stop 0',
      'content_block_start 1',
      'content_block_delta 1',
      'content_block_delta 1',
      'content_block_stop 1',
      'message_delta',
      'message_stop',
    ]);
    expect(events.at(-2)!.data.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('keeps a later call buffered when it ends before the earlier one', async () => {
    expect(assemble(await streamed('two tools, ends reversed'))).toEqual(CALLS);
  });

  it('closes the text block before the first tool_use block', async () => {
    expect(assemble(await streamed('text first'))).toEqual([{ type: 'text', text: 'Checking.' }, ...CALLS]);
  });
});

describe('/v1/messages whose model produced malformed tool arguments', () => {
  it('is a 502 PROVIDER_ERROR naming the tool call, not a 400 blaming the body', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/v1/messages', payload: body('malformed') });
    expect(response.statusCode).toBe(502);
    const error = response.json() as { code: string; message: string };
    expect(error.code).toBe('PROVIDER_ERROR');
    expect(error.message).toContain("the model produced invalid JSON arguments for tool call 'call_a' ('weather', content[0])");
  });

  it('streamed: the block is not stopped, the stream ends with a PROVIDER_ERROR error event naming the call', async () => {
    const events = await streamed('malformed');
    expect(events.map((e) => `${e.event}${e.data.index !== undefined ? ` ${String(e.data.index)}` : ''}`)).toEqual([
      'message_start',
      'content_block_start 0',
      'content_block_delta 0',
      'content_block_stop 0',
      'content_block_start 1',
      'content_block_delta 1',
      'error',
    ]);
    expect(events.at(-1)!.data.error).toEqual({ type: 'api_error', code: 'PROVIDER_ERROR', message: expect.stringContaining("invalid JSON arguments for tool call 'call_b' ('time', content[1])") });
  });

  it('valid arguments are the tool_use input', async () => {
    const response = await server.app.inject({ method: 'POST', url: '/v1/messages', payload: body('valid') });
    expect(response.statusCode).toBe(200);
    expect(response.json().content).toEqual([CALLS[0]]);
  });
});
