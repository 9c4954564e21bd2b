/**
 * The tool-calling stream benchmark at a hosted model's speed: one SSE event every 10 ms (~100 events/s, 29 events),
 * what an agent's turn sees against a cloud API: the gateway's added time measured against a realistic turn length.
 */
import { toolStreamBenchmark } from './gateway-tool-stream-setup.js';

export default toolStreamBenchmark({ name: 'gateway-tool-stream-hosted', paceMs: 10, warmup: 10, iterations: 40 });
