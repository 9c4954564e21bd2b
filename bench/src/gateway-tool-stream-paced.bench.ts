/**
 * The tool-calling stream benchmark with an upstream that streams one SSE event per millisecond (28 events, ~10x
 * faster than hosted models stream): what the gateway adds to an agent's turn against a fast model.
 */
import { toolStreamBenchmark } from './gateway-tool-stream-setup.js';

export default toolStreamBenchmark({ name: 'gateway-tool-stream-paced', paceMs: 1, warmup: 20, iterations: 150 });
