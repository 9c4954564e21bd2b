import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, startGateway, type Gateway } from './gateway.js';

let gateway: Gateway;
let client: OpenAI;
beforeAll(async () => {
  gateway = await startGateway();
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: GATEWAY_KEY, maxRetries: 0 });
});
afterAll(() => gateway.close());

const deploymentOf = (index: number) => (gateway.openAiUpstream.requests[index]!.headers['x-deployment'] === 'b' ? 'b' : 'primary');

describe('a route of two healthy cloud deployments is an ordered chain, not a load balancer', () => {
  it('40 overlapping requests all go to the primary', async () => {
    const before = gateway.openAiUpstream.requests.length;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      pending.push(client.chat.completions.create({ model: 'ordered', messages: [{ role: 'user', content: `q${i} x` }] }));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(pending);
    const used = Array.from({ length: gateway.openAiUpstream.requests.length - before }, (_, i) => deploymentOf(before + i));
    expect(used).toHaveLength(40);
    expect(used.every((deployment) => deployment === 'primary')).toBe(true);
  });

  it('when the primary fails, the second deployment answers, after the primary was tried first', async () => {
    const before = gateway.openAiUpstream.requests.length;
    const answer = await client.chat.completions.create({ model: 'ordered-faulty', messages: [{ role: 'user', content: 'one two' }] });
    expect(answer.choices[0]!.message.content).toBe('two one');
    const bodies = gateway.openAiUpstream.requests.slice(before);
    expect(bodies.map((request) => [(request.body as { model: string }).model, request.headers['x-deployment'] ?? 'primary'])).toEqual([
      ['overloaded', 'primary'],
      ['gpt-test', 'b'],
    ]);
  });
});
