// A single-process server over a durable dataDir, for the kill -9 durability test (run with tsx).
// argv: <dataDir> <runsLog>. Prints `listening <url>` when ready. Every stream start appends the task's first
// prompt word to runsLog synchronously, so a kill -9 cannot lose the record of a run.
import { appendFileSync } from 'node:fs';
import type { CallOptions, InferenceRequest, InferenceStreamPart, OrchestratorApi } from '@switchyard/core';
import { createServer } from '../create-server.js';
import { OrchestratorDouble } from './orchestrator-double.js';

const [dataDir, runsLog] = process.argv.slice(2) as [string, string];
const inner = new OrchestratorDouble({ words: {} }, 15);
const orchestrator: OrchestratorApi = {
  run: (request, options) => inner.run(request, options),
  openStreamSession: (model) => inner.openStreamSession(model),
  stream(request: InferenceRequest, options?: CallOptions): AsyncIterable<InferenceStreamPart> {
    const prompt = request.input.kind === 'text' ? (request.input.prompt ?? '') : '';
    appendFileSync(runsLog, `${prompt.split(' ')[0]}\n`);
    return inner.stream(request, options);
  },
};
const server = await createServer({
  orchestrator,
  defaultMetrics: false,
  config: { dataDir, admission: { interactiveCapacity: 1000, batchCapacity: 1000, concurrency: { default: 4 } } },
});
const url = await server.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${url} ${JSON.stringify(server.recovered)}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
