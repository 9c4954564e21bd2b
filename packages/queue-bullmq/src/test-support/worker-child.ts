// A worker process for the distributed tests (run with tsx): real ONNX (xybrid-minilm embeddings through
// @switchyard/plugin-onnx) next to a fake streaming engine that speaks the Orchestrator stream protocol.
// argv: <redisUrl> <prefix> <runsLog> <repoRoot>. Prints `worker <id>` when ready; SIGTERM drains.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSwitchyardApp, type CallOptions, type InferenceRequest, type InferenceStreamPart, type OrchestratorApi } from '@switchyard/core';
import { OrchestratorDouble } from '@switchyard/server/test';
import { TaskWorker } from '../task-worker.js';

const [redis, prefix, runsLog, repoRoot] = process.argv.slice(2) as [string, string, string, string];
const app = await createSwitchyardApp({ config: { version: 1, plugins: ['@switchyard/plugin-onnx'], models: { dirs: [join(repoRoot, 'models')] } }, baseDir: repoRoot });
const fake = new OrchestratorDouble({ fake: { tokens: Array.from({ length: 12 }, (_, i) => `t${i} `) } }, Number(process.env.SY_TOKEN_DELAY_MS ?? 15));
const record = (request: InferenceRequest) => appendFileSync(runsLog, `${request.correlationId ?? ''}\n`);
const orchestrator: OrchestratorApi = {
  run(request, options) {
    record(request);
    return request.model === 'fake' ? fake.run(request, options) : app.orchestrator.run(request, options);
  },
  stream(request: InferenceRequest, options?: CallOptions): AsyncIterable<InferenceStreamPart> {
    record(request);
    return request.model === 'fake' ? fake.stream(request, options) : app.orchestrator.stream(request, options);
  },
  openStreamSession: (model) => app.orchestrator.openStreamSession(model),
};
const worker = new TaskWorker({ redis, prefix, orchestrator, engines: app.engines, concurrency: { fake: 4, onnx: 2 }, heartbeatTtlMs: 1500, lockDurationMs: 2000 });
await worker.start();
process.stdout.write(`worker ${worker.id}\n`);
process.on('SIGTERM', () => void worker.drain().then(() => app.shutdown()).then(() => process.exit(0)));
