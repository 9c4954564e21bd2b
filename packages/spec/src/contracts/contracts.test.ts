import { describe, expect, it } from 'vitest';
import type { EngineStreamPart, EngineV1 } from './index.js';
import { definePlugin } from './index.js';
import { TOKENS } from '../tokens.js';

/** A minimal engine written only against the contract: streams the prompt back word by word. */
function wordEngine(): EngineV1 {
  const loaded = new Set<string>();
  return {
    specificationVersion: 'v1',
    id: 'words',
    capabilities: { workloads: ['completion', 'stream'], targets: ['local'], features: ['streaming', 'abort'] },
    async doLoad(model) {
      loaded.add(model.id);
    },
    async doRun(request) {
      const prompt = request.input.kind === 'text' ? (request.input.prompt ?? '') : '';
      return { output: { kind: 'text', text: prompt }, finishReason: 'stop', usage: { outputTokens: prompt.split(' ').length } };
    },
    async *doStream(request, signal) {
      yield { type: 'start', modelId: request.modelId };
      const words = request.input.kind === 'text' ? (request.input.prompt ?? '').split(' ') : [];
      for (const word of words) {
        if (signal.aborted) {
          yield { type: 'finish', usage: {}, finishReason: 'abort' };
          return;
        }
        yield { type: 'delta', kind: 'text', text: word };
      }
      yield { type: 'finish', usage: { outputTokens: words.length }, finishReason: 'stop' };
    },
    async doUnload(modelId) {
      loaded.delete(modelId);
    },
    async health() {
      return { ok: true };
    },
  };
}

async function collect(parts: AsyncIterable<EngineStreamPart>): Promise<EngineStreamPart[]> {
  const out: EngineStreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

describe('Engine v1 contract', () => {
  it('streams typed parts: start, deltas, finish with usage', async () => {
    const parts = await collect(wordEngine().doStream({ modelId: 'm', workload: 'stream', input: { kind: 'text', prompt: 'a b' } }, new AbortController().signal));
    expect(parts).toEqual([
      { type: 'start', modelId: 'm' },
      { type: 'delta', kind: 'text', text: 'a' },
      { type: 'delta', kind: 'text', text: 'b' },
      { type: 'finish', usage: { outputTokens: 2 }, finishReason: 'stop' },
    ]);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    const parts = await collect(wordEngine().doStream({ modelId: 'm', workload: 'stream', input: { kind: 'text', prompt: 'a b' } }, controller.signal));
    expect(parts.at(-1)).toEqual({ type: 'finish', usage: {}, finishReason: 'abort' });
  });
});

describe('plugin manifest and tokens', () => {
  it('definePlugin returns the manifest unchanged', () => {
    const manifest = { name: 'p', version: '1.0.0', core: '^0.1.0', configSchema: {}, register() {} };
    expect(definePlugin(manifest)).toBe(manifest);
  });

  it('tokens are global symbols named switchyard.<Name>', () => {
    for (const [name, token] of Object.entries(TOKENS)) expect(token).toBe(Symbol.for(`switchyard.${name}`));
  });
});
