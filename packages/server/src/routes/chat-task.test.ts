import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { readSseFrames } from '../test-support/sse-client.js';
import { scriptedOrchestrator } from '../test-support/scripted-orchestrator.js';

/** An engine that calls two tools in parallel and gives both the id "" (as some OpenAI-compatible servers do). */
const emptyIdToolCalls = scriptedOrchestrator({
  engine: 'tools',
  run: () => ({
    output: {
      kind: 'text',
      text: '',
      toolCalls: [
        { id: '', name: 'weather', arguments: '{"city":"Oslo"}' },
        { id: '', name: 'time', arguments: '{"zone":"CET"}' },
      ],
    },
    usage: { inputTokens: 3, outputTokens: 4 },
    finishReason: 'tool-calls',
  }),
  async *stream() {
    yield { type: 'tool-call-start', id: '', name: 'weather', index: 0 };
    yield { type: 'tool-call-delta', id: '', argumentsDelta: '{"city":' };
    yield { type: 'tool-call-delta', id: '', argumentsDelta: '"Oslo"}' };
    yield { type: 'tool-call-end', id: '' };
    yield { type: 'tool-call-start', id: '', name: 'time', index: 1 };
    yield { type: 'tool-call-delta', id: '', argumentsDelta: '{"zone":"CET"}' };
    yield { type: 'tool-call-end', id: '' };
    yield { type: 'finish', usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'tool-calls' };
  },
});

let server: SwitchyardServer;
let url: string;
beforeAll(async () => {
  server = await createServer({ orchestrator: emptyIdToolCalls, env: {}, defaultMetrics: false });
  url = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

const post = async (path: string, body: Record<string, unknown>) => (await server.app.inject({ method: 'POST', url: path, payload: body })).json() as Record<string, unknown>;
const streamed = async (path: string, body: Record<string, unknown>) => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  const frames = [];
  for await (const frame of readSseFrames(response.body!)) frames.push(frame);
  return frames;
};
const CALLS = [
  ['weather', '{"city":"Oslo"}'],
  ['time', '{"zone":"CET"}'],
];
const distinctIds = (ids: unknown[]) => {
  expect(ids).toHaveLength(2);
  for (const id of ids) expect(id).toMatch(/^call_[0-9a-f]{24}$/);
  expect(new Set(ids).size).toBe(2);
};

describe('parallel tool calls without ids stay apart on every face', () => {
  const chatBody = { model: 'm', messages: [{ role: 'user', content: 'weather and time?' }] };
  const messagesBody = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'weather and time?' }] };

  it('chat completions (run and stream)', async () => {
    const calls = ((await post('/v1/chat/completions', chatBody)).choices as { message: { tool_calls: { id: string; function: { name: string; arguments: string } }[] } }[])[0]!.message.tool_calls;
    expect(calls.map((c) => [c.function.name, c.function.arguments])).toEqual(CALLS);
    distinctIds(calls.map((c) => c.id));

    const chunks = await streamed('/v1/chat/completions', chatBody);
    const deltas = chunks.flatMap((chunk) => ((chunk.data.choices as { delta: { tool_calls?: { index: number; id?: string; function: { name?: string; arguments: string } }[] } }[] | undefined)?.[0]?.delta.tool_calls ?? []));
    const assembled: { id?: string; name?: string; arguments: string }[] = [];
    for (const delta of deltas) {
      const call = (assembled[delta.index] ??= { arguments: '' });
      if (delta.id !== undefined) call.id = delta.id;
      if (delta.function.name !== undefined) call.name = delta.function.name;
      call.arguments += delta.function.arguments;
    }
    expect(assembled.map((c) => [c.name, c.arguments])).toEqual(CALLS);
    distinctIds(assembled.map((c) => c.id));
  });

  it('messages (run and stream)', async () => {
    const content = (await post('/v1/messages', messagesBody)).content as { type: string; id: string; name: string; input: unknown }[];
    expect(content.map((block) => [block.name, JSON.stringify(block.input)])).toEqual(CALLS);
    distinctIds(content.map((block) => block.id));

    const events = await streamed('/v1/messages', messagesBody);
    const starts = events.filter((event) => event.event === 'content_block_start').map((event) => event.data.content_block as { id: string; name: string });
    const json = (index: number) =>
      events
        .filter((event) => event.event === 'content_block_delta' && event.data.index === index)
        .map((event) => (event.data.delta as { partial_json: string }).partial_json)
        .join('');
    expect(starts.map((block, index) => [block.name, json(index)])).toEqual(CALLS);
    distinctIds(starts.map((block) => block.id));
  });

  it('responses (run and stream)', async () => {
    const output = (await post('/v1/responses', { model: 'm', input: 'weather and time?' })).output as { type: string; call_id: string; name: string; arguments: string }[];
    expect(output.map((item) => [item.name, item.arguments])).toEqual(CALLS);
    distinctIds(output.map((item) => item.call_id));

    const events = await streamed('/v1/responses', { model: 'm', input: 'weather and time?' });
    const completed = (events.at(-1)!.data.response as { output: { call_id: string; name: string; arguments: string }[] }).output;
    expect(completed.map((item) => [item.name, item.arguments])).toEqual(CALLS);
    distinctIds(completed.map((item) => item.call_id));
  });
});
