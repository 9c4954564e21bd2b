import type { EngineRunRequest, EngineV1 } from '@switchyard/spec';
import { describe, expect, it } from 'vitest';
import { createOrchestrator } from './create-orchestrator.js';

/** A cloud-like engine; `counts` adds doCountTokens (the number of words of the last turn) and records what it got. */
function engine(id: string, counts: boolean): EngineV1 & { counted: EngineRunRequest[]; loaded: string[] } {
  const counted: EngineRunRequest[] = [];
  const loaded: string[] = [];
  return {
    specificationVersion: 'v1',
    id,
    capabilities: { workloads: ['completion'], targets: ['cloud'], features: ['tools'], parameters: ['maxTokens', 'tools'] },
    counted,
    loaded,
    async doLoad(model) {
      loaded.push(model.id);
    },
    async doRun() {
      return { output: { kind: 'text', text: 'ran' } };
    },
    async *doStream() {},
    async doUnload() {},
    async health() {
      return { ok: true };
    },
    ...(counts
      ? {
          async doCountTokens(request: EngineRunRequest) {
            counted.push(request);
            const text = request.input.kind === 'text' ? (request.input.messages?.at(-1)?.content ?? '') : '';
            return { inputTokens: text.split(' ').length };
          },
        }
      : {}),
  };
}

function orchestrator() {
  const counter = engine('counter', true);
  const plain = engine('plain', false);
  const built = createOrchestrator({
    engines: [counter, plain],
    config: { policy: { blockedPatterns: ['top secret'] }, routing: { routes: { counted: { targets: ['counter:model-x'] }, uncounted: { targets: ['plain:model-y'] } } } },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { counter, built };
}

const request = (model: string, text: string) => ({ model, workload: 'completion' as const, input: { kind: 'text' as const, messages: [{ role: 'user' as const, content: text }] }, parameters: { tools: [{ name: 'f', parameters: {} }] }, correlationId: 'corr-7' });

describe('Orchestrator.countTokens', () => {
  it('counts on the engine and model a run would go to first (a route or engine:model), after loading the model', async () => {
    const { counter, built } = orchestrator();
    const count = built.countTokens.bind(built);
    expect(await count(request('counted', 'one two three'))).toEqual({ inputTokens: 3, engine: 'counter', model: 'model-x' });
    expect(await count(request('counter:direct', 'one two'))).toEqual({ inputTokens: 2, engine: 'counter', model: 'direct' });
    expect(counter.loaded).toEqual(['model-x', 'direct']);
    expect(counter.counted[0]).toMatchObject({ modelId: 'model-x', workload: 'completion', parameters: { tools: [{ name: 'f' }] }, correlationId: 'corr-7' });
  });

  it('applies the policy (a denied request is not sent anywhere) and refuses an engine that cannot count, naming the model', async () => {
    const { counter, built } = orchestrator();
    const count = built.countTokens.bind(built);
    await expect(count(request('counted', 'this is top secret'))).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    expect(counter.counted).toHaveLength(0);
    const refused = await count(request('uncounted', 'hi')).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'model', model: 'uncounted', engine: 'plain' } });
    expect((refused as Error).message).toBe("count_tokens is not supported for model 'uncounted' (engine 'plain' has no token counting)");
  });

  it('runs the same gates as a run: an unknown id is NO_SUCH_MODEL before any engine, a parameter the engine cannot honour is UNSUPPORTED by name', async () => {
    const { counter, built } = orchestrator();
    await expect(built.countTokens(request('countd', 'hi'))).rejects.toMatchObject({ code: 'NO_SUCH_MODEL' });
    const withParameter = { ...request('counted', 'hi'), parameters: { seed: 7 } };
    await expect(built.countTokens(withParameter)).rejects.toMatchObject({ code: 'UNSUPPORTED', details: { field: 'seed', engine: 'counter' } });
    expect(counter.counted).toHaveLength(0);
    expect(await built.countTokens({ ...withParameter, dropUnsupportedParameters: true })).toEqual({ inputTokens: 1, engine: 'counter', model: 'model-x', droppedParameters: ['seed'] });
  });
});
