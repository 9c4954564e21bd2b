import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from './create-server.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

let server: SwitchyardServer;
let client: OpenAI;
let orchestrator: OrchestratorDouble;

beforeAll(async () => {
  orchestrator = new OrchestratorDouble({ 'local-chat': { tokens: ['Hello', ',', ' world', '!'] }, 'mini-embed': { embeddingDim: 6 }, 'tensor-embed': { embeddingDim: 4, embeddingAsTensor: true } });
  server = await createServer({
    orchestrator,
    config: { auth: { apiKeys: ['sk-test-key'] }, models: [{ id: 'local-chat', ownedBy: 'onnx' }, { id: 'mini-embed', ownedBy: 'onnx' }, { id: 'auto' }] },
    env: {},
    defaultMetrics: false,
  });
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test-key', maxRetries: 0 });
});
afterAll(async () => {
  await server.close({ deadlineMs: 50 });
});

describe('OpenAI-compatible face with the official openai client', () => {
  it('chat completions (non-stream) with usage', async () => {
    const completion = await client.chat.completions.create({ model: 'local-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message).toEqual({ role: 'assistant', content: 'Hello, world!', refusal: null });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    const call = orchestrator.calls.at(-1)!;
    expect(call.request).toMatchObject({ model: 'local-chat', workload: 'completion', input: { kind: 'text', messages: [{ role: 'user', content: 'hi' }] }, parameters: { maxTokens: 16 } });
  });

  it('streaming chat: role chunk, content chunks, finish, usage, [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'local-chat',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hello, world!');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it('max_tokens cuts the stream with finish_reason length', async () => {
    const completion = await client.chat.completions.create({ model: 'local-chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
    expect(completion.choices[0]!.message.content).toBe('Hello,');
    expect(completion.choices[0]!.finish_reason).toBe('length');
  });

  it('embeddings (the client asks for base64 and decodes it) and float', async () => {
    const result = await client.embeddings.create({ model: 'mini-embed', input: ['alpha', 'beta'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]!.embedding).toHaveLength(6);
    expect(Math.hypot(...result.data[0]!.embedding)).toBeCloseTo(1, 5);
    const floats = await client.embeddings.create({ model: 'mini-embed', input: 'alpha', encoding_format: 'float' });
    expect(floats.data[0]!.embedding.map((value) => Math.round(value * 1e5))).toEqual(result.data[0]!.embedding.map((value) => Math.round(value * 1e5)));
  });

  it('embeddings from a pipeline tensor output ({dims:[n,d], data: Float32Array})', async () => {
    const result = await client.embeddings.create({ model: 'tensor-embed', input: ['one', 'two', 'three'], encoding_format: 'float' });
    expect(result.data.map((row) => row.embedding.length)).toEqual([4, 4, 4]);
    expect(Math.hypot(...result.data[2]!.embedding)).toBeCloseTo(1, 5);
  });

  it('models lists configured models and routes', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((model) => model.id)).toEqual(['local-chat', 'mini-embed', 'auto']);
    expect(models[0]).toMatchObject({ object: 'model', owned_by: 'onnx' });
  });

  it('unknown model -> 404 NotFoundError; wrong key -> 401 AuthenticationError; bad body -> 400', async () => {
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }], stream: true })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const stranger = new OpenAI({ baseURL: client.baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(client.chat.completions.create({ model: 'local-chat', messages: [] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const stillUp = await client.chat.completions.create({ model: 'local-chat', messages: [{ role: 'user', content: 'hi' }] });
    expect(stillUp.choices[0]!.message.content).toBe('Hello, world!');
  });
});
