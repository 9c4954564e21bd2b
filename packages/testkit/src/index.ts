import { readFileSync } from 'node:fs';
export { runEngineConformance } from './engine-conformance.js';
export type { EngineConformanceOptions } from './engine-conformance.js';
export {
  checkChatResult,
  checkEngineShape,
  checkRunResult,
  checkStreamParts,
  checkSwitchyardError,
  diffActiveResources,
  snapshotActiveResources,
} from './conformance-checks.js';
export { collectStream, streamError, within } from './stream-collect.js';
export type { CollectedStream } from './stream-collect.js';

/** The version of @switchyard/testkit, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export { startTestHttpServer, sendJson, startSse, writeSse, pause, unusedTestServerConnections } from './test-http-server.js';
export type { TestHttpServer, RecordedRequest, TestRequestHandler } from './test-http-server.js';
export { rejectionOf, createTestPluginContext } from './test-helpers.js';
export type { TestPluginContext } from './test-helpers.js';
export { FAKE_PREAMBLE, FAKE_REFUSAL, fakeOpenAiApi } from './fake-openai-api.js';
export { fakeAnthropicApi, fakeAnthropicTokenCount } from './fake-anthropic-api.js';
export { sampleFromSchema } from './fake-schema-sample.js';
