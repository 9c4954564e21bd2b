import { describe, expect, it } from 'vitest';
import type { InferenceRequest, PolicyDecision } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { Executor } from '../executor/executor.js';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { Router } from './router.js';
import type { RoutingConfig } from './routing-config.js';

const allow: PolicyDecision = { outcome: 'allow', reason: 'test' };
const local = new FaultEngine('onnx', {}, { targets: ['local'] });
const edge = new FaultEngine('pool', {}, { targets: ['edge'] });
const cloud = new FaultEngine('openai', {}, { targets: ['cloud'] });
const executor = new Executor({ engines: [local, edge, cloud] });
const config: RoutingConfig = {
  defaultTarget: 'local',
  routes: {
    chat: { small: 'onnx:qwen-0.5b', large: ['openai:gpt-4o', 'pool:llama-70b'], fallback: ['pool:llama-8b'] },
    calibrated: { small: 'onnx:qwen-0.5b', large: 'openai:gpt-4o', threshold: 0.9 },
  },
};
const router = new Router({ executor, config });
const req = (extra: Partial<InferenceRequest> = {}): InferenceRequest => ({
  model: 'summarizer',
  workload: 'completion',
  input: { kind: 'text', prompt: 'hello' },
  ...extra,
});

describe('rule-based device/network routing', () => {
  it.each([
    [{}, 'local', 'default target local'],
    [{ network_rtt: 800 }, 'local', 'network RTT 800 ms > 300 ms'],
    [{ battery: 5 }, 'edge', 'battery 5% < 15%'],
    [{ online: false }, 'local', 'device offline'],
    [{ has_accelerator: true }, 'local', 'accelerator present'],
  ])('metrics %j -> %s', async (metrics, target, why) => {
    const plan = await router.route(req({ metrics }), allow);
    expect(plan.decision.target).toBe(target);
    expect(plan.decision.reason).toContain(why);
    expect(plan.chain).toHaveLength(3);
  });

  it('prefers remote when the model is not available locally', async () => {
    const remoteOnly = new Router({ executor, config: { models: { 'gpt-4o': ['openai:gpt-4o'] } } });
    const plan = await remoteOnly.route(req({ model: 'gpt-4o' }), allow);
    expect(plan.decision).toMatchObject({ engine: 'openai', target: 'cloud', source: 'rule', reason: expect.stringContaining('not available locally') });
  });

  it('keeps redacted (sensitive) requests local', async () => {
    const plan = await router.route(req({ metrics: { battery: 3 } }), { outcome: 'redact', rule_id: 'pii', reason: 'x' });
    expect(plan.decision.target).toBe('local');
    expect(plan.decision.reason).toContain("policy 'pii' keeps sensitive input local");
  });
});

describe('placement', () => {
  it('pins without fallbacks', async () => {
    const plan = await router.route(req({ placement: { mode: 'pin', engine: 'pool' } }), allow);
    expect(plan.chain).toEqual([{ engine: 'pool', model: 'summarizer', target: 'edge' }]);
    expect(plan.allowFallback).toBe(false);
    expect(plan.decision.source).toBe('pin');
  });

  it('a pin that cannot be served is an error, never a silent fallback', async () => {
    const error = await router.route(req({ placement: { mode: 'pin', engine: 'nope' } }), allow).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ROUTE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('pins never fall back');
  });

  it('prefer puts the engine first and keeps the others as fallbacks', async () => {
    const plan = await router.route(req({ placement: { mode: 'prefer', engine: 'openai' } }), allow);
    expect(plan.chain.map((c) => c.engine)).toEqual(['openai', 'onnx', 'pool']);
  });

  it('`engine:model` addresses one engine directly', async () => {
    const plan = await router.route(req({ model: 'pool:llama-8b' }), allow);
    expect(plan.chain).toEqual([{ engine: 'pool', model: 'llama-8b', target: 'edge' }]);
  });
});

describe('classification routing', () => {
  it('sends a simple prompt to the small model and a complex one to the large model, with fallbacks', async () => {
    const simple = await router.route(req({ model: 'chat', input: { kind: 'text', prompt: 'What is the capital of France?' } }), allow);
    expect(simple.decision).toMatchObject({ engine: 'onnx', model: 'qwen-0.5b', source: 'classifier' });
    expect(simple.chain.map((c) => `${c.engine}:${c.model}`)).toEqual(['onnx:qwen-0.5b', 'openai:gpt-4o', 'pool:llama-70b', 'pool:llama-8b']);
    const complex = await router.route(
      req({ model: 'chat', input: { kind: 'text', prompt: 'Prove step by step that the halting problem is undecidable, with a rigorous proof.' } }),
      allow,
    );
    expect(complex.decision.model).toBe('gpt-4o');
    expect(complex.decision.reason).toContain('large model with thinking');
  });

  it('uses the calibrated threshold and caches decisions', async () => {
    const r = new Router({ executor, config });
    const prompt = { kind: 'text' as const, prompt: 'Design a distributed cache with trade-offs.' };
    const first = await r.route(req({ model: 'calibrated', input: prompt }), allow);
    expect(first.decision.reason).toContain('vs threshold 0.9');
    expect(first.cached).toBe(false);
    const second = await r.route(req({ model: 'calibrated', input: prompt }), allow);
    expect(second.cached).toBe(true);
    expect(r.cacheStats).toMatchObject({ hits: 1, size: 1 });
  });
});

describe('load-aware choice', () => {
  it('least-busy orders equivalent deployments by in-flight calls', async () => {
    const a = new FaultEngine('a', { hangRate: 1 }, { targets: ['cloud'] });
    const b = new FaultEngine('b', {}, { targets: ['cloud'] });
    const ex = new Executor({ engines: [a, b] });
    const r = new Router({ executor: ex, config: { routes: { m: { small: ['a:x', 'b:x'], large: ['a:x', 'b:x'] } } } });
    const controller = new AbortController();
    const pending = ex.execute({ engine: 'a', model: 'x', target: 'cloud' }, { modelId: 'x', workload: 'completion', input: { kind: 'text', prompt: '' } }, controller.signal).catch(() => {});
    await new Promise((resolve) => setImmediate(resolve));
    const plan = await r.route(req({ model: 'm' }), allow);
    expect(plan.chain.map((c) => c.engine)).toEqual(['b', 'a']);
    controller.abort();
    await pending;
  });

  it('lowest-latency orders by observed latency', async () => {
    const r = new Router({ executor, config: { loadStrategy: 'lowest-latency', routes: { m: { targets: [] }, n: { small: ['openai:x', 'pool:x'] } } } });
    r.latency.record('openai', 300);
    r.latency.record('pool', 20);
    const plan = await r.route(req({ model: 'n' }), allow);
    expect(plan.chain.map((c) => c.engine)).toEqual(['pool', 'openai']);
  });
});

describe('global fallbacks', () => {
  it('appends routing.fallbacks targets after the chosen chain', async () => {
    const r = new Router({ executor, config: { models: { m: ['onnx:m'] }, fallbacks: ['cloud', 'pool:big'] } });
    const plan = await r.route(req({ model: 'm' }), allow);
    expect(plan.chain.map((c) => `${c.engine}:${c.model}`)).toEqual(['onnx:m', 'openai:m', 'pool:big']);
  });
});

describe('lowest-cost', () => {
  it('orders equivalent deployments by configured price; unpriced ones last', async () => {
    const r = new Router({
      executor,
      config: { loadStrategy: 'lowest-cost', routes: { n: { small: ['openai:x', 'pool:x', 'onnx:x'] } } },
      prices: { 'openai:x': { inputPerMillion: 500, outputPerMillion: 1500 }, 'pool:x': { inputPerMillion: 100, outputPerMillion: 200 } },
    });
    const plan = await r.route(req({ model: 'n' }), allow);
    expect(plan.chain.map((c) => c.engine)).toEqual(['pool', 'openai', 'onnx']);
  });
});
