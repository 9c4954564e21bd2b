import { afterEach, describe, expect, it } from 'vitest';
import { createSwitchyardApp, type SwitchyardApp } from '@switchyard/core';
import type { SwitchyardConfig } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/spec';
import { fakeOpenAiApi, rejectionOf, sendJson, startTestHttpServer, type TestHttpServer } from '@switchyard/testkit';
import { createCloudLlmPlugin } from './index.js';

// The orchestrator over real OpenAI-style upstreams: 429s, Retry-After and the chain (docs/orchestration.md).

interface Upstream {
  readonly server: TestHttpServer;
  /** Answers the next `count` calls with a 429 carrying these headers, then behaves like the fake OpenAI API. */
  rateLimit(headers: Record<string, string>, count?: number, status?: number): void;
  /** Chat calls received. */
  hits(): number;
}

async function upstream(): Promise<Upstream> {
  let limited: { headers: Record<string, string>; left: number; status: number } | undefined;
  const server = await startTestHttpServer(async (request, response) => {
    if (limited && limited.left > 0) {
      limited.left--;
      const body = limited.status === 429 ? { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } : { message: 'The server is overloaded', type: 'server_error', param: null, code: null };
      return sendJson(response, limited.status, { error: body }, limited.headers);
    }
    return fakeOpenAiApi(request, response);
  });
  return {
    server,
    rateLimit: (headers, count = Number.POSITIVE_INFINITY, status = 429) => (limited = { headers, left: count, status }),
    hits: () => server.requests.filter((r) => r.path === '/v1/chat/completions').length,
  };
}

let app: SwitchyardApp | undefined;
const upstreams: Upstream[] = [];
afterEach(async () => {
  await app?.shutdown();
  app = undefined;
  for (const u of upstreams.splice(0)) await u.server.close();
});

async function start(config: SwitchyardConfig, count = 2): Promise<Upstream[]> {
  for (let i = 0; i < count; i++) upstreams.push(await upstream());
  const ids = ['a', 'b', 'c'];
  app = await createSwitchyardApp({
    config: { telemetry: { logLevel: 'silent' }, ...config },
    plugins: [{ plugin: createCloudLlmPlugin(), options: { providers: upstreams.map((u, i) => ({ id: ids[i], kind: 'openai-compatible', baseURL: `${u.server.url}/v1` })) } }],
  });
  return upstreams;
}

const ask = (model: string, more: Record<string, unknown> = {}) => ({ model, workload: 'completion' as const, input: { kind: 'text' as const, prompt: 'hello there' }, ...more });

describe('a 429 from an upstream', () => {
  it('moves the chain on at once when another target follows, whatever its Retry-After (never sleeps it out)', async () => {
    const [a, b] = await start({ routing: { routes: { chat: { targets: ['a:m1', 'b:m1'] } } }, resilience: { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 } } });
    a!.rateLimit({ 'retry-after': '3600' });
    const started = performance.now();
    const result = await app!.orchestrator.run(ask('chat', { timeoutMs: 3000 }));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.decision).toMatchObject({ engine: 'b', model: 'm1', source: 'fallback' });
    expect([a!.hits(), b!.hits()]).toEqual([1, 1]);
    // The deployment is cooling down: the next request goes straight to b without calling a.
    await app!.orchestrator.run(ask('chat'));
    expect([a!.hits(), b!.hits()]).toEqual([1, 2]);
  });

  it('any error naming a Retry-After (a 503) moves the chain on at once too: only the last target may wait it out', async () => {
    const [a, b] = await start({ routing: { routes: { chat: { targets: ['a:m1', 'b:m1'] } } }, resilience: { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 5000 } } });
    a!.rateLimit({ 'retry-after': '2' }, Number.POSITIVE_INFINITY, 503);
    const started = performance.now();
    const result = await app!.orchestrator.run(ask('chat', { timeoutMs: 10_000 }));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(result.decision).toMatchObject({ engine: 'b' });
    expect(a!.hits()).toBe(1);
    expect(b!.hits()).toBe(1);
  });

  it('on the last target is not retried when its Retry-After exceeds retry.maxDelayMs: RATE_LIMITED at once, with the wait', async () => {
    const [a] = await start({ routing: { routes: { solo: { targets: ['a:m1'] } } }, resilience: { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 } } }, 1);
    a!.rateLimit({ 'retry-after': '3' });
    const started = performance.now();
    const error = await rejectionOf(app!.orchestrator.run(ask('solo')));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(SwitchyardError.hasCode(error, 'RATE_LIMITED')).toBe(true);
    expect((error as SwitchyardError).retryAfterMs).toBe(3000);
    expect(a!.hits()).toBe(1);
  });

  it('on the last target is not retried when its Retry-After would end past the request deadline', async () => {
    const [a] = await start({ routing: { routes: { solo: { targets: ['a:m1'] } } }, resilience: { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 5000 } } }, 1);
    a!.rateLimit({ 'retry-after-ms': '800' });
    const started = performance.now();
    const error = await rejectionOf(app!.orchestrator.run(ask('solo', { timeoutMs: 500 })));
    expect(performance.now() - started).toBeLessThan(400);
    expect(SwitchyardError.hasCode(error, 'RATE_LIMITED')).toBe(true);
    expect(a!.hits()).toBe(1);
  });

  it('on the last target waits its Retry-After when it fits within maxDelayMs and the deadline, then answers', async () => {
    const [a] = await start({ routing: { routes: { solo: { targets: ['a:m1'] } } }, resilience: { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 1000 } } }, 1);
    a!.rateLimit({ 'retry-after-ms': '200' }, 1);
    const started = performance.now();
    const result = await app!.orchestrator.run(ask('solo', { timeoutMs: 5000 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(result.output).toEqual({ kind: 'text', text: 'there hello' });
    expect(a!.hits()).toBe(2);
  });
});

describe('routing.fallbacks over real upstreams', () => {
  it('a target kind never sends a route name upstream as the model nor calls the failed engine again', async () => {
    const [a, b] = await start({ routing: { fallbacks: ['edge'], routes: { chat: { targets: ['a:server-error'] } } }, resilience: { retry: { maxAttempts: 1 } } });
    const error = await rejectionOf(app!.orchestrator.run(ask('chat')));
    expect(SwitchyardError.hasCode(error, 'PROVIDER_ERROR')).toBe(true);
    const models = [...a!.server.requests, ...b!.server.requests].map((r) => (r.body as { model?: string }).model);
    expect(models).toEqual(['server-error']);
  });

  it('an engine:model entry is the next target after the route fails', async () => {
    const [a, b] = await start({ routing: { fallbacks: ['b:gpt-test'], routes: { chat: { targets: ['a:server-error'] } } }, resilience: { retry: { maxAttempts: 1 } } });
    const result = await app!.orchestrator.run(ask('chat'));
    expect(result.decision).toMatchObject({ engine: 'b', model: 'gpt-test', source: 'fallback' });
    expect([a!.hits(), b!.hits()]).toEqual([1, 1]);
  });
});

describe('a mid-stream fallback over real upstreams', () => {
  it('sends the next target the prompt as the user turn and the emitted text as the assistant turn (not glued together)', async () => {
    const [, b] = await start({ routing: { routes: { chat: { targets: ['a:drop', 'b:gpt-test'] } } } });
    const parts = [];
    for await (const part of app!.orchestrator.stream({ model: 'chat', workload: 'stream', input: { kind: 'text', prompt: 'one two three four' } })) parts.push(part);
    expect(parts.find((p) => p.type === 'fallback')).toMatchObject({ from: 'a:drop', to: 'b:gpt-test', afterTokens: 2 });
    const sent = b!.server.requests.find((r) => r.path === '/v1/chat/completions')!.body as { messages: unknown[] };
    expect(sent.messages).toEqual([
      { role: 'user', content: 'one two three four' },
      { role: 'assistant', content: 'four three' },
    ]);
  });
});
