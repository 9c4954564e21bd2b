import { describe, expect, it } from 'vitest';
import { resolveServerConfig } from './server-config.js';

describe('resolveServerConfig refuses settings it would not honour', () => {
  it.each([
    [{ taskRetentionMs: 1, retention: { maxAgeMs: 2 } }, 'server.taskRetentionMs and server.retention.maxAgeMs are the same setting'],
    [{ taskRetentionMaxTasks: 1, retention: { maxTasks: 2 } }, 'server.taskRetentionMaxTasks and server.retention.maxTasks are the same setting'],
    [{ taskRetentionMaxBytes: 1, retention: { maxBytes: 2 } }, 'server.taskRetentionMaxBytes and server.retention.maxBytes are the same setting'],
    [{ connections: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }, 'server.connections.headersTimeoutMs (5000) cannot exceed server.connections.requestTimeoutMs (1000)'],
    [{ queue: { redis: 'redis://127.0.0.1:6379' }, retention: { maxTasks: 10 } }, 'server.retention.maxTasks is not applied with queue.redis'],
    [{ queue: { redis: 'redis://127.0.0.1:6379' }, taskRetentionMaxBytes: 10 }, 'server.taskRetentionMaxBytes is not applied with queue.redis'],
  ])('%j', (config, message) => {
    expect(() => resolveServerConfig(config, {})).toThrow(message);
  });

  it('takes each alias alone, and a lower request timeout lowers the default headers timeout', () => {
    const resolved = resolveServerConfig({ taskRetentionMaxTasks: 5, retention: { maxAgeMs: 7 }, connections: { requestTimeoutMs: 1000 } }, {});
    expect(resolved.retention).toMatchObject({ maxTasks: 5, maxAgeMs: 7 });
    expect(resolved.connections).toMatchObject({ requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
    expect(resolveServerConfig({ queue: { redis: 'redis://127.0.0.1:6379' }, retention: { maxAgeMs: 1000 } }, {}).retention.maxAgeMs).toBe(1000);
  });
});
