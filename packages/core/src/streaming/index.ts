export * from './stateful-stream-mode.js';
export * from './sample-reframer.js';
export * from './stateful-stream-runner.js';
