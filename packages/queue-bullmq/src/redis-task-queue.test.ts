import { afterAll, beforeAll } from 'vitest';
import { createServer } from '@switchyard/server';
import { taskQueueContract } from '../../server/test/task-queue-contract.js';
import { TaskWorker } from './task-worker.js';
import { redisSkipReason, startRedis, type TestRedis } from './test-support/redis-server.js';

const skip = redisSkipReason();
let redis: TestRedis | undefined;
let run = 0;
beforeAll(async () => {
  if (!skip) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

taskQueueContract(
  'redis (BullMQ + Redis Streams, one in-process worker)',
  {
    async start(orchestrator, { concurrency, ...config }) {
      const prefix = `contract${(run += 1)}`;
      const worker = new TaskWorker({ redis: redis!.url, prefix, orchestrator, engines: [], concurrency: { default: concurrency } });
      await worker.start();
      const server = await createServer({ orchestrator, defaultMetrics: false, config: { ...config, queue: { redis: redis!.url, prefix } } });
      const url = await server.listen({ host: '127.0.0.1', port: 0 });
      return {
        server,
        url,
        async stop() {
          orchestrator.release();
          await worker.close();
          await server.close({ deadlineMs: 200 });
        },
      };
    },
  },
  skip,
);
