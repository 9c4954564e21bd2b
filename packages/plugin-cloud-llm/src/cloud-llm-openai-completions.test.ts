import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineRunRequest } from '@switchyard/spec';
import { collectStream, fakeAnthropicApi, fakeOpenAiApi, rejectionOf, startTestHttpServer } from '@switchyard/testkit';
import type { TestHttpServer } from '@switchyard/testkit';
import { AnthropicChatEngine } from './cloud-llm-anthropic-engine.js';
import { OpenAiChatEngine } from './cloud-llm-openai-engine.js';

// A raw prompt (legacy /v1/completions) goes to the upstream's /v1/completions as is, never as a chat turn.
const signal = () => new AbortController().signal;
const raw = (modelId: string, extra: Partial<EngineRunRequest> = {}): EngineRunRequest => ({ modelId, workload: 'completion', input: { kind: 'text', prompt: 'Once upon a', rawPrompt: true }, ...extra });

describe('raw prompts', () => {
  let server: TestHttpServer;
  let anthropic: TestHttpServer;
  let engine: OpenAiChatEngine;
  beforeAll(async () => {
    server = await startTestHttpServer(fakeOpenAiApi);
    anthropic = await startTestHttpServer(fakeAnthropicApi);
    engine = new OpenAiChatEngine({ id: 'vllm', kind: 'openai-compatible', baseURL: `${server.url}/v1` });
  });
  afterAll(async () => {
    await server.close();
    await anthropic.close();
  });

  it("are sent to an OpenAI-style server's /v1/completions with the prompt as is (run and stream)", async () => {
    const result = await engine.doRun(raw('gpt-test', { parameters: { maxTokens: 7, temperature: 0.5, stop: ['\n'], seed: 3 } }), signal());
    expect(result).toMatchObject({ output: { kind: 'text', text: 'a upon Once' }, finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 3 } });
    const sent = server.requests.at(-1)!;
    expect(sent.path).toBe('/v1/completions');
    expect(sent.body).toEqual({ model: 'gpt-test', prompt: 'Once upon a', max_tokens: 7, temperature: 0.5, stop: ['\n'], seed: 3, stream: false });
    const { parts } = await collectStream(engine.doStream(raw('gpt-test'), signal()));
    expect(parts.filter((part) => part.type === 'delta').map((part) => (part as { text: string }).text).join('')).toBe('a upon Once');
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 3 } });
    expect(server.requests.at(-1)!.body).toEqual({ model: 'gpt-test', prompt: 'Once upon a', stream: true, stream_options: { include_usage: true } });
  });

  it('refuse chat-only parameters by name, and a prompt without rawPrompt stays a chat turn', async () => {
    const error = await rejectionOf(engine.doRun(raw('gpt-test', { parameters: { tools: [{ name: 'f', parameters: {} }] } }), signal()));
    expect(SwitchyardError.hasCode(error, 'UNSUPPORTED') && error.details.field).toBe('tools');
    await engine.doRun({ modelId: 'gpt-test', workload: 'completion', input: { kind: 'text', prompt: 'hi there' } }, signal());
    expect(server.requests.at(-1)!.path).toBe('/v1/chat/completions');
  });

  it('are refused by Anthropic (no raw completions API), naming prompt', async () => {
    process.env.SWITCHYARD_RAW_TEST_KEY = 'sk-ant-raw';
    const claude = new AnthropicChatEngine({ id: 'claude', kind: 'anthropic', baseURL: anthropic.url, apiKeyEnv: 'SWITCHYARD_RAW_TEST_KEY' });
    const error = await rejectionOf(claude.doRun(raw('claude-test'), signal()));
    expect(SwitchyardError.hasCode(error, 'UNSUPPORTED') && error.details.field).toBe('prompt');
    expect(anthropic.requests).toHaveLength(0);
    delete process.env.SWITCHYARD_RAW_TEST_KEY;
  });
});
