/**
 * The tool-calling stream benchmark at a hosted model's speed: one SSE event every 10 ms (~100 events/s, 28 events),
 * what an agent's turn sees against a cloud API. The gateway's added time is the same as in the 1 ms case; here it
 * is measured against a realistic turn length.
 */
import { toolStreamBenchmark } from './gateway-tool-stream-setup.js';

export default toolStreamBenchmark({ name: 'gateway-tool-stream-hosted', paceMs: 10, warmup: 10, iterations: 40 });
