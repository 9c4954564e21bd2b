import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { connectRedis, redisUnreachableError } from './frame-log.js';

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Redis out of reach (no redis-server needed)', () => {
  it('connection errors go to onError once each, never to the "Unhandled error event" printout', async () => {
    const port = await closedPort();
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const errors: string[] = [];
    const redis = connectRedis(`redis://127.0.0.1:${port}`, { failFast: true, onError: (error) => errors.push(error.message) });
    try {
      await expect(redis.ping()).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 300)); // a few reconnect attempts
      expect(errors).toEqual([`connect ECONNREFUSED 127.0.0.1:${port}`]);
      expect(printed).not.toHaveBeenCalled();
    } finally {
      redis.disconnect();
      printed.mockRestore();
    }
  });

  it('the start error names queue.redis and the address, never the password', () => {
    const error = redisUnreachableError('redis://user:s3cret@127.0.0.1:6399/2', new Error('connect ECONNREFUSED 127.0.0.1:6399'));
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED', details: { field: 'queue.redis', found: 'redis://127.0.0.1:6399/2' } });
    expect(error.message).toBe('queue.redis: cannot reach Redis at redis://127.0.0.1:6399/2 (connect ECONNREFUSED 127.0.0.1:6399); start redis-server (e.g. scripts/install-redis.sh) or fix queue.redis');
    expect(error.message).not.toContain('s3cret');
  });
});
