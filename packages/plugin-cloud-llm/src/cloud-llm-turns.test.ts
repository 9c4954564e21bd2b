import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { ChatMessage, EngineRunRequest } from '@switchyard/spec';
import { collectStream, fakeAnthropicApi, fakeOpenAiApi, rejectionOf, startTestHttpServer } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { AnthropicChatEngine } from './cloud-llm-anthropic-engine.js';
import { OpenAiChatEngine } from './cloud-llm-openai-engine.js';

// How turns reach the upstream: order, roles, content parts, names, refusals and tool errors (the request side).
const signal = () => new AbortController().signal;
const run = (modelId: string, messages: ChatMessage[], extra: Partial<EngineRunRequest> = {}): EngineRunRequest => ({ modelId, workload: 'completion', input: { kind: 'text', messages }, ...extra });
const IMG_A = 'data:image/png;base64,QUFB';
const IMG_B = 'https://example.com/b.png';
const interleaved: ChatMessage = {
  role: 'user',
  content: 'Image A: \nImage B: \nWhich is A?',
  images: [{ url: IMG_A }, { url: IMG_B, detail: 'low' }],
  parts: [
    { type: 'text', text: 'Image A: ' },
    { type: 'image', url: IMG_A },
    { type: 'text', text: 'Image B: ' },
    { type: 'image', url: IMG_B, detail: 'low' },
    { type: 'text', text: 'Which is A?' },
  ],
};

/** A user turn of Anthropic's `[tool_result, tool_result, text]` as the server hands it on: two tool turns, then the text. */
const afterTwoCalls: ChatMessage[] = [
  { role: 'user', content: 'weather and time in Oslo?' },
  { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' }, { id: 'toolu_2', name: 'time', arguments: '{"city":"Oslo"}' }] },
  { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
  { role: 'tool', toolCallId: 'toolu_2', content: '12:00' },
  { role: 'user', content: 'thanks, and tomorrow?' },
];
const twoTools = { tools: [{ name: 'weather', parameters: { type: 'object' } }, { name: 'time', parameters: { type: 'object' } }] };

describe('OpenAI-style upstreams get the turns in order, parts as content arrays', () => {
  let server: TestHttpServer;
  beforeAll(async () => {
    server = await startTestHttpServer(fakeOpenAiApi);
    process.env.SWITCHYARD_TURNS_TEST_KEY = 'sk-turns-test';
  });
  afterAll(async () => {
    delete process.env.SWITCHYARD_TURNS_TEST_KEY;
    await server.close();
  });
  const openai = () => new OpenAiChatEngine({ id: 'openai', kind: 'openai', baseURL: `${server.url}/v1`, apiKeyEnv: 'SWITCHYARD_TURNS_TEST_KEY' });
  const compatible = () => new OpenAiChatEngine({ id: 'vllm', kind: 'openai-compatible', baseURL: `${server.url}/v1`, vision: true });
  const turns: ChatMessage[] = [
    { role: 'user', content: 'a', name: 'ann' },
    { role: 'assistant', content: 'b', refusal: 'not that' },
    { role: 'system', content: 'be terse' },
    { role: 'system', content: 'dev rule', developer: true },
    { role: 'user', content: 'line one\nline two', parts: [{ type: 'text', text: 'line one' }, { type: 'text', text: 'line two' }] },
    interleaved,
  ];

  it('keeps system and developer turns where they are (OpenAI: developer stays developer), names and refusals forwarded', async () => {
    await openai().doRun(run('gpt-test', turns), signal());
    expect((server.requests.at(-1)!.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'a', name: 'ann' },
      { role: 'assistant', content: 'b', refusal: 'not that' },
      { role: 'system', content: 'be terse' },
      { role: 'developer', content: 'dev rule' },
      { role: 'user', content: [{ type: 'text', text: 'line one' }, { type: 'text', text: 'line two' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Image A: ' },
          { type: 'image_url', image_url: { url: IMG_A } },
          { type: 'text', text: 'Image B: ' },
          { type: 'image_url', image_url: { url: IMG_B, detail: 'low' } },
          { type: 'text', text: 'Which is A?' },
        ],
      },
    ]);
  });

  it('an OpenAI-compatible server gets a developer turn as a system turn, in place', async () => {
    await collectStream(compatible().doStream(run('gpt-test', turns.slice(2, 4).concat([{ role: 'user', content: 'q' }])), signal()));
    const sent = server.requests.at(-1)!.body as { messages: unknown };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'be terse' },
      { role: 'system', content: 'dev rule' },
      { role: 'user', content: 'q' },
    ]);
  });

  it('takes a conversation of system turns only, as OpenAI does', async () => {
    const result = await compatible().doRun(run('gpt-test', [{ role: 'system', content: 'say hi' }]), signal());
    expect(result.finishReason).toBe('stop');
    expect((server.requests.at(-1)!.body as { messages: unknown }).messages).toEqual([{ role: 'system', content: 'say hi' }]);
  });

  it('tool results followed by text are tool messages, then one user message (in that order)', async () => {
    await openai().doRun(run('gpt-test', afterTwoCalls, { parameters: twoTools }), signal());
    expect((server.requests.at(-1)!.body as { messages: unknown[] }).messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'toolu_2', content: '12:00' },
      { role: 'user', content: 'thanks, and tomorrow?' },
    ]);
  });

  it("declares name and refusal (not a tool turn's isError, which OpenAI has no field for)", () => {
    expect(openai().capabilities.messageFields).toEqual(['name', 'refusal']);
    expect(compatible().capabilities.messageFields).toEqual(['name', 'refusal']);
  });
});

describe('Anthropic gets parts as blocks in order, system turns as separate top-level blocks, tool errors as is_error', () => {
  let server: TestHttpServer;
  let engine: AnthropicChatEngine;
  beforeAll(async () => {
    server = await startTestHttpServer(fakeAnthropicApi);
    process.env.SWITCHYARD_TURNS_TEST_ANTHROPIC_KEY = 'sk-ant-turns';
    engine = new AnthropicChatEngine({ id: 'claude', kind: 'anthropic', baseURL: server.url, apiKeyEnv: 'SWITCHYARD_TURNS_TEST_ANTHROPIC_KEY' });
  });
  afterAll(async () => {
    delete process.env.SWITCHYARD_TURNS_TEST_ANTHROPIC_KEY;
    await server.close();
  });

  it('sends images where they were among the text, system parts as separate blocks and is_error on a failed tool result', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'S1\nS2', parts: [{ type: 'text', text: 'S1' }, { type: 'text', text: 'S2' }] },
      interleaved,
      { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'lookup', arguments: '{"q":"x"}' }] },
      { role: 'tool', toolCallId: 'toolu_1', content: 'lookup timed out', isError: true },
      { role: 'system', content: 'S3' },
    ];
    await engine.doRun(run('claude-test', messages, { parameters: { tools: [{ name: 'lookup', parameters: { type: 'object' } }] } }), signal());
    const sent = server.requests.at(-1)!.body as { system: unknown; messages: unknown };
    expect(sent.system).toEqual([
      { type: 'text', text: 'S1' },
      { type: 'text', text: 'S2' },
      { type: 'text', text: 'S3' },
    ]);
    expect(sent.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Image A: ' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUFB' } },
          { type: 'text', text: 'Image B: ' },
          { type: 'image', source: { type: 'url', url: IMG_B } },
          { type: 'text', text: 'Which is A?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'lookup timed out', is_error: true }] },
    ]);
  });

  it('keeps [tool_result, tool_result, text] one user turn: the results first, then the text (a regression: it was split in two)', async () => {
    const withImage: ChatMessage = { role: 'user', content: 'and this?', parts: [{ type: 'text', text: 'and this?' }, { type: 'image', url: IMG_A }] };
    await engine.doRun(run('claude-test', [...afterTwoCalls.slice(0, 4), withImage, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'bye' }], { parameters: twoTools }), signal());
    expect((server.requests.at(-1)!.body as { messages: unknown[] }).messages.slice(2)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '12:00' },
          { type: 'text', text: 'and this?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUFB' } },
        ],
      },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'bye' },
    ]);
    await engine.doRun(run('claude-test', afterTwoCalls, { parameters: twoTools }), signal());
    expect((server.requests.at(-1)!.body as { messages: unknown[] }).messages.slice(2)).toEqual([
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: '12:00' },
          { type: 'text', text: 'thanks, and tomorrow?' },
        ],
      },
    ]);
  });

  it('declares isError only, and refuses a conversation of system turns only by naming messages', async () => {
    expect(engine.capabilities.messageFields).toEqual(['isError']);
    const error = await rejectionOf(engine.doRun(run('claude-test', [{ role: 'system', content: 'say hi' }]), signal()));
    expect(SwitchyardError.hasCode(error, 'INVALID_INPUT') && error.details.field).toBe('messages');
  });
});
