import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createServer, redactSecrets } from './create-server.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';

describe('logs carry no keys, stacks or raw secrets', () => {
  it('redacts key-like strings', () => {
    expect(redactSecrets('failed with sk-proj-abcdefgh12345678 and Bearer abc.def')).toBe('failed with [redacted] and [redacted]');
  });

  it('request logs omit headers; internal errors log a redacted message and no stack', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = await createServer({
      orchestrator: new OrchestratorDouble({ crashing: { error: new Error('driver crashed holding sk-test-abcdefgh12345678') as never } }),
      config: { auth: { apiKeys: ['super-secret-key-1'] } },
      env: {},
      logger: { level: 'info', stream },
      defaultMetrics: false,
    });
    try {
      server.app.get('/boom', async () => {
        throw new Error('upstream said sk-live-abcdefgh12345678 at /srv/app/handler.ts:12');
      });
      const bad = await server.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer wrong-key-xyz' } });
      expect(bad.statusCode).toBe(401);
      const boom = await server.app.inject({ method: 'GET', url: '/boom', headers: { 'x-api-key': 'super-secret-key-1', 'x-correlation-id': 'corr-1' } });
      expect(boom.statusCode).toBe(500);
      const task = await server.app.inject({ method: 'POST', url: '/v2/tasks', headers: { 'x-api-key': 'super-secret-key-1', 'x-correlation-id': 'corr-2' }, payload: { model_ref: 'crashing', inputs: { json: {} } } });
      expect(task.statusCode).toBe(202);
      for (let i = 0; i < 100 && !lines.join('').includes('task failed'); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
      const log = lines.join('');
      expect(log).toContain('task failed with an internal error');
      expect(log).toContain('"correlation_id":"corr-2"');
      expect(log).not.toContain('sk-test-abcdefgh12345678');
      expect(log).toContain('internal error');
      expect(log).toContain('corr-1');
      expect(log).toContain('[redacted]');
      expect(log).not.toContain('sk-live-abcdefgh12345678');
      expect(log).not.toContain('super-secret-key-1');
      expect(log).not.toContain('wrong-key-xyz');
      expect(log).not.toContain('"stack"');
    } finally {
      await server.close({ deadlineMs: 10 });
    }
  });
});
