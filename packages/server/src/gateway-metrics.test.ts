import { EventBus } from '@switchyard/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { GatewayMetrics, MAX_MODELS_PER_ENGINE, OTHER_MODEL } from './gateway-metrics.js';
import type { CircuitState } from './server-metrics.js';

describe('GatewayMetrics', () => {
  it('records one request per (route, engine, model) with tokens, cost and latencies, in Prometheus text', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    metrics.recordRequest('/v1/chat/completions', 'cloud', 'gpt-x', 'ok', 1200, 200, 10, 11, 0.5);
    metrics.recordRequest('/v1/chat/completions', 'cloud', 'gpt-x', 'ok', 300, undefined, 5, 1, undefined);
    metrics.recordRequest('/v1/chat/completions', 'cloud', 'gpt-x', 'error', 50, undefined, undefined, undefined, undefined);
    const text = await registry.metrics();
    const labels = 'route="/v1/chat/completions",engine="cloud",model="gpt-x"';
    expect(text).toContain(`switchyard_requests_total{${labels},outcome="ok"} 2`);
    expect(text).toContain(`switchyard_requests_total{${labels},outcome="error"} 1`);
    expect(text).toContain(`switchyard_requests_total{${labels},outcome="canceled"} 0`);
    expect(text).toContain(`switchyard_tokens_total{${labels},type="input"} 15`);
    expect(text).toContain(`switchyard_tokens_total{${labels},type="output"} 12`);
    expect(text).toContain(`switchyard_cost_usd_total{${labels}} 0.5`);
    // One streamed request: first token at 0.2 s, then 10 more tokens in 1 s -> 0.1 s per token.
    expect(text).toContain(`switchyard_time_to_first_token_seconds_bucket{${labels},le="0.1"} 0`);
    expect(text).toContain(`switchyard_time_to_first_token_seconds_bucket{${labels},le="0.25"} 1`);
    expect(text).toContain(`switchyard_time_to_first_token_seconds_bucket{${labels},le="+Inf"} 1`);
    expect(text).toContain(`switchyard_time_per_output_token_seconds_sum{${labels}} 0.1`);
    expect(text).toContain(`switchyard_request_duration_seconds_count{${labels},outcome="ok"} 2`);
    expect(text).toContain(`switchyard_request_duration_seconds_sum{${labels},outcome="ok"} 1.5`);
    expect(text).toContain(`switchyard_request_duration_seconds_count{${labels},outcome="error"} 1`);
    expect(text).toContain('# TYPE switchyard_request_duration_seconds histogram');
    expect(text).toContain('# TYPE switchyard_requests_total counter');
    const json = await registry.getMetricsAsJSON();
    expect(json.map((m) => m.name)).toContain('switchyard_tokens_total');
  });

  it('hands out the same precreated series for the same labels (no label objects per request)', () => {
    const metrics = new GatewayMetrics(new Registry());
    const first = metrics.series('/v1/chat/completions', 'e', 'm');
    expect(metrics.series('/v1/chat/completions', 'e', 'm')).toBe(first);
    expect(metrics.series('/v1/chat/completions', 'e', 'other')).not.toBe(first);
    expect(metrics.retries.at('e', 'm', 'TIMEOUT')).toBe(metrics.retries.at('e', 'm', 'TIMEOUT'));
  });

  it('bounds the model label per engine: past the cap, new models count as (other)', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry);
    for (let i = 0; i < MAX_MODELS_PER_ENGINE + 5; i++) metrics.recordRequest('/v1/chat/completions', 'open', `m${i}`, 'ok', 1, undefined, 1, 1, undefined);
    metrics.recordRequest('/v1/chat/completions', 'open', 'm0', 'ok', 1, undefined, 1, 1, undefined);
    const text = await registry.metrics();
    expect(text).toContain(`switchyard_requests_total{route="/v1/chat/completions",engine="open",model="${OTHER_MODEL}",outcome="ok"} 5`);
    expect(text).toContain('switchyard_requests_total{route="/v1/chat/completions",engine="open",model="m0",outcome="ok"} 2');
    expect(text).not.toContain(`model="m${MAX_MODELS_PER_ENGINE}"`);
    expect(metrics.modelLabel('other-engine', 'm1')).toBe('m1');
  });

  it('counts retries, fallbacks (mid_stream), upstream errors (not caller aborts) and cooldowns from orchestrator events; breaker state per deployment', async () => {
    const registry = new Registry();
    const metrics = new GatewayMetrics(registry, () => ({ cloud: { 'gpt-x': 'open', 'gpt-y': 'closed' } }));
    const events = new EventBus();
    const off = metrics.follow(events);
    events.emit('Retry', { correlationId: 'c', engine: 'cloud', model: 'gpt-x', attempt: 1, delayMs: 5, code: 'PROVIDER_ERROR' });
    events.emit('ExecutionFailed', { correlationId: 'c', engine: 'cloud', model: 'gpt-x', code: 'PROVIDER_ERROR', message: '500' });
    events.emit('ExecutionFailed', { correlationId: 'c', engine: 'cloud', model: 'gpt-x', code: 'ABORTED', message: 'client left' });
    events.emit('Fallback', { correlationId: 'c', from: 'cloud:gpt-x', to: 'local:llama', reason: 'PROVIDER_ERROR', afterTokens: 0 });
    events.emit('Fallback', { correlationId: 'c', from: 'cloud:gpt-x', to: 'local:llama', reason: 'TIMEOUT', afterTokens: 4 });
    events.emit('DeploymentCooldown', { engine: 'cloud', model: 'gpt-x', ms: 7000 });
    off();
    events.emit('DeploymentCooldown', { engine: 'cloud', model: 'gpt-x', ms: 7000 });
    const text = await registry.metrics();
    expect(text).toContain('switchyard_retries_total{engine="cloud",model="gpt-x",code="PROVIDER_ERROR"} 1');
    expect(text).toContain('switchyard_upstream_errors_total{engine="cloud",model="gpt-x",code="PROVIDER_ERROR"} 1');
    expect(text).not.toContain('code="ABORTED"');
    expect(text).toContain('switchyard_fallbacks_total{engine="cloud",model="gpt-x",code="PROVIDER_ERROR",mid_stream="false"} 1');
    expect(text).toContain('switchyard_fallbacks_total{engine="cloud",model="gpt-x",code="TIMEOUT",mid_stream="true"} 1');
    expect(text).toContain('switchyard_cooldowns_total{engine="cloud",model="gpt-x"} 1');
    expect(text).toContain('switchyard_breaker_state{engine="cloud",model="gpt-x"} 2');
    expect(text).toContain('switchyard_breaker_state{engine="cloud",model="gpt-y"} 0');
    expect(text).toContain('# TYPE switchyard_breaker_state gauge');
  });
  it('switchyard_breaker_state reports a 429 cooldown as 3, follows the breakers that exist now, and bounds its model label', async () => {
    const registry = new Registry();
    let states: Record<string, Record<string, CircuitState>> = { cloud: { limited: 'cooling-down', tripped: 'open' } };
    const metrics = new GatewayMetrics(registry, () => states);
    let text = await registry.metrics();
    expect(text).toContain('switchyard_breaker_state{engine="cloud",model="limited"} 3');
    expect(text).toContain('switchyard_breaker_state{engine="cloud",model="tripped"} 2');
    // The cooldown ran out (reported half-open until the trial call) and the tripped breaker was forgotten.
    states = { cloud: { limited: 'half-open' } };
    text = await registry.metrics();
    expect(text).toContain('switchyard_breaker_state{engine="cloud",model="limited"} 1');
    expect(text).not.toContain('model="tripped"');
    states = { open: Object.fromEntries(Array.from({ length: MAX_MODELS_PER_ENGINE + 5 }, (_, i) => [`m${i}`, i === MAX_MODELS_PER_ENGINE + 2 ? 'open' : 'closed'])) };
    text = await registry.metrics();
    expect(text.match(/switchyard_breaker_state\{engine="open"/g)).toHaveLength(MAX_MODELS_PER_ENGINE + 1);
    expect(text).toContain(`switchyard_breaker_state{engine="open",model="${OTHER_MODEL}"} 2`);
    expect(metrics.modelLabel('open', 'm0')).toBe('m0');
  });
});
