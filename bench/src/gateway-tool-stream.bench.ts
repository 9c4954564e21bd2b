/** The tool-calling stream benchmark with an upstream that answers at once: the gateway's pure overhead. */
import { toolStreamBenchmark } from './gateway-tool-stream-setup.js';

export default toolStreamBenchmark({ name: 'gateway-tool-stream', paceMs: 0, warmup: 50, iterations: 300 });
