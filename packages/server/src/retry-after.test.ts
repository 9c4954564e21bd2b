import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { createServer, type SwitchyardServer } from './create-server.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

let server: SwitchyardServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 100 });
  server = undefined;
});

async function start() {
  server = await createServer({
    orchestrator: new OrchestratorDouble({
      // Transient, without a wait of its own (a provider 503 with no Retry-After, every target down briefly).
      overloaded: { error: new SwitchyardError({ code: 'ROUTE_UNAVAILABLE', message: 'All 2 targets failed', retriable: true }) },
      // Named wait: passed through as is.
      limited: { error: new SwitchyardError({ code: 'RATE_LIMITED', message: 'slow down', retriable: true, retryAfterMs: 7000 }) },
      // A retry cannot help: no Retry-After.
      nowhere: { error: new SwitchyardError({ code: 'ROUTE_UNAVAILABLE', message: 'No registered engine can serve it', retriable: false }) },
    }),
    config: { dropParams: false },
    defaultMetrics: false,
  });
  return server.app;
}

const ask = (model: string) => ({ method: 'POST' as const, url: '/v1/chat/completions', payload: { model, messages: [{ role: 'user', content: 'x' }] } });

describe('the gateway\'s own 429/503 answers', () => {
  it('carry retriable and Retry-After whenever a retry can help, with a default wait when none was named', async () => {
    const app = await start();
    const overloaded = await app.inject(ask('overloaded'));
    expect(overloaded.statusCode).toBe(503);
    expect(overloaded.json()).toMatchObject({ code: 'ROUTE_UNAVAILABLE', retriable: true, retry_after_ms: 1000 });
    expect(overloaded.headers['retry-after']).toBe('1');

    const limited = await app.inject(ask('limited'));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');

    const nowhere = await app.inject(ask('nowhere'));
    expect(nowhere.statusCode).toBe(503);
    expect(nowhere.json()).toMatchObject({ retriable: false });
    expect(nowhere.headers['retry-after']).toBeUndefined();
  });
});
