import { createServer } from './create-server.js';
import { taskQueueContract } from '../test/task-queue-contract.js';

taskQueueContract('embedded (TaskScheduler)', {
  async start(orchestrator, { concurrency, ...config }) {
    const server = await createServer({ orchestrator, defaultMetrics: false, config: { ...config, admission: { ...config.admission, concurrency: { default: concurrency } } } });
    const url = await server.listen({ host: '127.0.0.1', port: 0 });
    return {
      server,
      url,
      async stop() {
        orchestrator.release();
        await server.close({ deadlineMs: 200 });
      },
    };
  },
});
