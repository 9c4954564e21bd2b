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

describe('ordered chains and explicit groups', () => {
  const a = new FaultEngine('a', {}, { targets: ['cloud'] });
  const b = new FaultEngine('b', {}, { targets: ['cloud'] });
  const c = new FaultEngine('c', {}, { targets: ['local'] });
  const ex = new Executor({ engines: [a, b, c] });
  const busy = (engine: string) => {
    const controller = new AbortController();
    const hanging = new FaultEngine('h', { hangRate: 1 });
    const pending = ex.execute({ engine, model: 'x', target: 'cloud' }, { modelId: 'x', workload: 'completion', input: { kind: 'text', prompt: '' } }, controller.signal).catch(() => {});
    return { hanging, done: async () => (controller.abort(), await pending) };
  };

  it('a route keeps its targets in the written order even when the primary is the busiest', async () => {
    a.plan = { hangRate: 1 };
    const load = busy('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(ex.guard('a').load).toBe(1);
    const r = new Router({ executor: ex, config: { defaultTarget: 'local', routes: { chat: { targets: ['a:m', 'b:m', 'c:m'], fallback: ['b:n'] } } } });
    const plan = await r.route(req({ model: 'chat' }), allow);
    // Neither load nor the default target (local) reorders a written chain.
    expect(plan.chain.map((t) => `${t.engine}:${t.model}`)).toEqual(['a:m', 'b:m', 'c:m', 'b:n']);
    expect(plan.decision).toMatchObject({ engine: 'a', source: 'rule' });
    // The request's own signals still apply (offline -> local first, the rest in order).
    const offline = await r.route(req({ model: 'chat', metrics: { online: false } }), allow);
    expect(offline.chain.map((t) => t.engine)).toEqual(['c', 'a', 'b', 'b']);
    await load.done();
    a.plan = {};
  });

  it('a group entry is balanced in place; the entries around it keep their order', async () => {
    a.plan = { hangRate: 1 };
    const load = busy('a');
    await new Promise((resolve) => setImmediate(resolve));
    const r = new Router({ executor: ex, config: { routes: { chat: { targets: [{ group: ['a:m', 'b:m'] }, 'c:m'] } } } });
    expect((await r.route(req({ model: 'chat' }), allow)).chain.map((t) => t.engine)).toEqual(['b', 'a', 'c']);
    const ordered = new Router({ executor: ex, config: { routes: { chat: { targets: [{ group: ['a:m', 'b:m'], loadStrategy: 'ordered' }, 'c:m'] } } } });
    expect((await ordered.route(req({ model: 'chat' }), allow)).chain.map((t) => t.engine)).toEqual(['a', 'b', 'c']);
    await load.done();
    a.plan = {};
  });

  it('weights split first picks in proportion within a group', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const r = new Router({ executor: ex, random, config: { models: { m: [{ engine: 'a', model: 'm', weight: 3 }, { engine: 'b', model: 'm', weight: 1 }] } } });
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 2_000; i++) counts[(await r.route(req({ model: 'm' }), allow)).decision.engine as 'a' | 'b'] += 1;
    expect(counts.a / 2_000).toBeGreaterThan(0.7);
    expect(counts.a / 2_000).toBeLessThan(0.8);
  });

  it('a model id without configured deployments tries its engines in order, not by load', async () => {
    a.plan = { hangRate: 1 };
    const load = busy('a');
    await new Promise((resolve) => setImmediate(resolve));
    const r = new Router({ executor: new Executor({ engines: [a, b] }) });
    // a's own guard in this executor is idle; b is second either way: the order is the engine order.
    expect((await r.route(req({ model: 'm' }), allow)).chain.map((t) => t.engine)).toEqual(['a', 'b']);
    await load.done();
    a.plan = {};
  });

  it('weights under a non-weighted group strategy are a config error naming the entry', () => {
    expect(() => new Router({ executor: ex, config: { routes: { chat: { targets: ['c:m', { group: [{ engine: 'a', model: 'm', weight: 2 }, 'b:m'], loadStrategy: 'least-busy' }] } } } })).toThrow(
      /routing\.routes\.chat\.targets\[1\]: members have a weight but loadStrategy is 'least-busy'/,
    );
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

describe('primaryEngine (the engine admission counts a task against)', () => {
  it('is the engine prefix, a route\'s first written target, a classification route\'s small one, a model\'s first deployment, else the first engine', () => {
    const primary = new Router({
      executor,
      config: { ...config, routes: { ...config.routes, ordered: { targets: [{ group: ['pool:a', 'onnx:b'] }, 'openai:c'] } }, models: { 'gpt-4o': ['openai:gpt-4o', 'pool:gpt-4o'] } },
    });
    expect(primary.primaryEngine('openai:anything')).toBe('openai');
    expect(primary.primaryEngine('ordered')).toBe('pool');
    expect(primary.primaryEngine('chat')).toBe('onnx');
    expect(primary.primaryEngine('gpt-4o')).toBe('openai');
    expect(primary.primaryEngine('summarizer')).toBe('onnx');
  });
});

describe('routing.fallbacks target kinds', () => {
  it('add nothing to a route (a route name is no model): never the route name upstream, never the engine that failed again', async () => {
    const withKinds = new Router({ executor, config: { fallbacks: ['edge', 'cloud', 'openai:gpt-4o'], routes: { chat: { targets: ['pool:llama-8b'] } } } });
    const plan = await withKinds.route(req({ model: 'chat' }), allow);
    expect(plan.chain.map((c) => `${c.engine}:${c.model}`)).toEqual(['pool:llama-8b', 'openai:gpt-4o']);
  });

  it('expand a model id to every engine of that kind with that model', async () => {
    const withKinds = new Router({ executor, config: { fallbacks: ['cloud'], models: { m: ['onnx:m'] } } });
    const plan = await withKinds.route(req({ model: 'm' }), allow);
    expect(plan.chain.map((c) => `${c.engine}:${c.model}`)).toEqual(['onnx:m', 'openai:m']);
  });
});

describe('placement with an engine:model ref', () => {
  it('a pin runs on exactly that engine, never falls back (per-call fallbacks neither)', async () => {
    const plan = await router.route(req({ model: 'openai:gpt-4o', placement: { mode: 'pin', engine: 'openai' } }), allow);
    expect(plan).toMatchObject({ allowFallback: false, decision: { engine: 'openai', source: 'pin' } });
    expect(plan.chain).toHaveLength(1);
  });

  it('a pin or preference naming another engine than the prefix is INVALID_INPUT naming placement.engine', async () => {
    for (const mode of ['pin', 'prefer'] as const) {
      const error = await router.route(req({ model: 'openai:gpt-4o', placement: { mode, engine: 'pool' } }), allow).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'placement.engine' } });
      expect((error as Error).message).toContain("contradicts model 'openai:gpt-4o'");
    }
  });

  it("a pinned target the engine does not run at is ROUTE_UNAVAILABLE", async () => {
    const error = await router.route(req({ model: 'openai:gpt-4o', placement: { mode: 'pin', target: 'local' } }), allow).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ROUTE_UNAVAILABLE')).toBe(true);
  });
});
