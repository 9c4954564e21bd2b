export { OrchestratorDouble, type DoubleModel, type RecordedCall } from './orchestrator-double.js';
export { readSseFrames, type ParsedFrame } from './sse-client.js';
