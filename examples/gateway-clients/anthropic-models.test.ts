import Anthropic from '@anthropic-ai/sdk';
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officialClients, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let client: Anthropic;
let openai: OpenAI;
beforeAll(async () => {
  gateway = await startGateway();
  ({ anthropic: client, openai } = officialClients(gateway));
});
afterAll(() => gateway.close());

// switchyard.config.yaml lists server.models `chat` then `claude`; nothing knows a release date or limits (docs/server.md).
const info = (id: string): ModelInfo => ({
  type: 'model',
  id,
  display_name: id,
  created_at: '1970-01-01T00:00:00Z',
  lifecycle: 'active',
  deprecated_at: null,
  retires_at: null,
  line: null,
  capabilities: null,
  max_input_tokens: null,
  max_tokens: null,
});

describe('@anthropic-ai/sdk against /v1/models', () => {
  it("models.list: one page in Anthropic's shape", async () => {
    const page = await client.models.list();
    expect(page.data).toEqual([info('chat'), info('claude')]);
    expect(page).toMatchObject({ has_more: false, first_id: 'chat', last_id: 'claude' });
  });

  it('models.list auto-paginates with a small limit (after_id), and backwards from a before_id', async () => {
    const first = await client.models.list({ limit: 1 });
    expect(first.data).toEqual([info('chat')]);
    expect(first.hasNextPage()).toBe(true);
    const seen: ModelInfo[] = [];
    for await (const model of client.models.list({ limit: 1 })) seen.push(model);
    expect(seen).toEqual([info('chat'), info('claude')]);
    const before = await client.models.list({ limit: 1, before_id: 'claude' });
    expect(before.data).toEqual([info('chat')]);
    expect(before.hasNextPage()).toBe(false);
  });

  it('models.retrieve: a listed model and an engine:model ref', async () => {
    expect(await client.models.retrieve('claude')).toEqual(info('claude'));
    expect(await client.models.retrieve('upstream:gpt-test')).toEqual(info('upstream:gpt-test'));
  });

  it("an unknown id is the SDK's NotFoundError, in Anthropic's error shape", async () => {
    const error = await client.models.retrieve('no-such-model').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'model_not_found' } });
  });

  it("a bad limit or unknown cursor is the SDK's BadRequestError naming the parameter", async () => {
    const limit = await client.models.list({ limit: 0 }).catch((e: unknown) => e);
    expect(limit).toBeInstanceOf(Anthropic.BadRequestError);
    expect((limit as Error).message).toContain('querystring/limit must be an integer from 1 to 1000');
    const cursor = await client.models.list({ after_id: 'no-such-model' }).catch((e: unknown) => e);
    expect(cursor).toBeInstanceOf(Anthropic.BadRequestError);
    expect((cursor as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', details: { field: 'after_id' }, error: { type: 'invalid_request_error' } });
  });

  it('a wrong key is an AuthenticationError', async () => {
    const stranger = new Anthropic({ baseURL: gateway.url, apiKey: 'sk-wrong-key', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('the openai client still gets the OpenAI model objects', async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    expect(models).toEqual([
      { id: 'chat', object: 'model', created: 0, owned_by: 'upstream' },
      { id: 'claude', object: 'model', created: 0, owned_by: 'claude' },
    ]);
    await expect(openai.models.retrieve('no-such-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
