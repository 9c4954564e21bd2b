/**
 * One process of the distributed-scaling bench (run with tsx): `api <redis> <prefix>`, `worker <redis> <prefix>
 * <sleepMs> <concurrency>` or `embedded <concurrency>`. Prints `ready <url|id>` when serving; SIGTERM stops it.
 * The engine is a sleep: each task waits `sleepMs` and returns a small JSON output.
 */
import type { InferenceRequest, InferenceResult, InferenceStreamPart, OrchestratorApi, PipelineStreamSession } from '@switchyard/core';
import { createServer } from '@switchyard/server';
import { TaskWorker } from '@switchyard/queue-bullmq';

export class SleepOrchestrator implements OrchestratorApi {
  constructor(private readonly sleepMs: number) {}
  async run(request: InferenceRequest): Promise<InferenceResult> {
    if (this.sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, this.sleepMs));
    return {
      output: { kind: 'json', value: { ok: true, model: request.model } },
      usage: {},
      finishReason: 'stop',
      policy: { outcome: 'allow', reason: 'bench' },
      decision: { target: 'local', engine: 'sleep', model: request.model, reason: 'bench', source: 'pin' },
      attempts: [],
      timings: { queueMs: 0, preprocessMs: 0, inferMs: this.sleepMs, postprocessMs: 0, totalMs: this.sleepMs },
    };
  }
  async *stream(): AsyncIterable<InferenceStreamPart> {
    yield { type: 'finish', usage: {}, finishReason: 'stop' };
  }
  async openStreamSession(): Promise<PipelineStreamSession<unknown, unknown>> {
    return { push: async () => [], close: async () => [] };
  }
}

const [role, ...args] = process.argv.slice(2);
const admission = { interactiveCapacity: 8192, batchCapacity: 8192 };
let stop: () => Promise<void>;
if (role === 'worker') {
  const [redis, prefix, sleepMs, concurrency] = args as [string, string, string, string];
  const worker = new TaskWorker({ redis, prefix, orchestrator: new SleepOrchestrator(Number(sleepMs)), engines: [], concurrency: { default: Number(concurrency) } });
  await worker.start();
  stop = () => worker.close();
  process.stdout.write(`ready ${worker.id}\n`);
} else if (role === 'api' || role === 'embedded') {
  const config = role === 'api' ? { queue: { redis: args[0]!, prefix: args[1]! }, admission } : { admission: { ...admission, concurrency: { default: Number(args[0]) } } };
  const server = await createServer({ orchestrator: new SleepOrchestrator(0), defaultMetrics: false, config });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  stop = async () => {
    await server.close({ deadlineMs: 100 });
  };
  process.stdout.write(`ready ${url}\n`);
} else {
  throw new Error(`distributed-node: unknown role '${role}' (api | worker | embedded)`);
}
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));
