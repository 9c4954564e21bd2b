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

export const VERSION = '0.1.0';
export { startTestHttpServer, sendJson, startSse, writeSse, pause, unusedTestServerConnections } from './test-http-server.js';
export type { TestHttpServer, RecordedRequest, TestRequestHandler } from './test-http-server.js';
export { rejectionOf, createTestPluginContext } from './test-helpers.js';
export type { TestPluginContext } from './test-helpers.js';
