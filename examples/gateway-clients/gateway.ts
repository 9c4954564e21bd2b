// Starts the gateway as `switchyard serve` would (switchyard.config.yaml) in front of local fakes of the OpenAI
// and Anthropic wire protocols, on random ports of 127.0.0.1.
import Anthropic from '@anthropic-ai/sdk';
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import OpenAI from 'openai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createSwitchyardApp } from '@switchyard/core';
import { createServerForApp, type SwitchyardServer } from '@switchyard/server';
import { fakeAnthropicApi, fakeOpenAiApi, startTestHttpServer, type TestHttpServer } from '@switchyard/testkit';

const here = dirname(fileURLToPath(import.meta.url));
export const GATEWAY_KEY = 'sk-gateway-test-key';

export interface Gateway {
  /** `http://127.0.0.1:<port>` of the gateway. */
  readonly url: string;
  readonly server: SwitchyardServer;
  readonly openAiUpstream: TestHttpServer;
  readonly anthropicUpstream: TestHttpServer;
  close(): Promise<void>;
}

/** `configFile` (beside this file) and `env` let a test start the gateway with its own config. */
export async function startGateway(options: { configFile?: string; env?: Record<string, string> } = {}): Promise<Gateway> {
  const openAiUpstream = await startTestHttpServer(fakeOpenAiApi);
  const anthropicUpstream = await startTestHttpServer(fakeAnthropicApi);
  // The engine reads its key from the process environment at call time.
  process.env.UPSTREAM_ANTHROPIC_KEY = 'sk-ant-fake-0123456789';
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-gateway-clients-'));
  const app = await createSwitchyardApp({
    configPath: join(here, options.configFile ?? 'switchyard.config.yaml'),
    env: { ...process.env, GATEWAY_DATA_DIR: dataDir, ...options.env, UPSTREAM_OPENAI_URL: `${openAiUpstream.url}/v1`, UPSTREAM_ANTHROPIC_URL: anthropicUpstream.url },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  // Auth on, as in production: clients send GATEWAY_KEY (Authorization: Bearer, or x-api-key from the Anthropic SDK).
  const server = await createServerForApp(app, { env: { SWITCHYARD_API_KEYS: GATEWAY_KEY } });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    server,
    openAiUpstream,
    anthropicUpstream,
    async close() {
      await server.close({ deadlineMs: 100 });
      await openAiUpstream.close();
      await anthropicUpstream.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The official openai and Anthropic clients aimed at a gateway with its key, without retries of their own. */
export function officialClients(gateway: Gateway): { openai: OpenAI; anthropic: Anthropic } {
  return {
    openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: gateway.url, apiKey: GATEWAY_KEY, maxRetries: 0 }),
  };
}

/** The Anthropic-shaped tool the Messages tests call. */
export const weatherTool: Tool = { name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

/** The gateway and both official clients of a test file: started before its tests and closed after them. */
export function useGateway(options: Parameters<typeof startGateway>[0] = {}): { readonly gateway: Gateway; readonly openai: OpenAI; readonly anthropic: Anthropic } {
  const clients = {} as { gateway: Gateway; openai: OpenAI; anthropic: Anthropic };
  beforeAll(async () => {
    clients.gateway = await startGateway(options);
    Object.assign(clients, officialClients(clients.gateway));
  });
  afterAll(() => clients.gateway?.close());
  return clients;
}
