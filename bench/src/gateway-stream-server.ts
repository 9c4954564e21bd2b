/**
 * Child process for bench/profile-gateway.ts: the fake upstream (one tool call in 24 argument deltas, then usage)
 * and the gateway in front of it, like the gateway-tool-stream bench. Sends {url} over IPC; exits on any message.
 */
import { startBenchGateway, startSseUpstream } from './gateway-bench-app.js';
import { UPSTREAM_EVENTS } from './gateway-tool-stream-events.js';

const { server: upstream, url: upstreamURL } = await startSseUpstream(UPSTREAM_EVENTS.join(''));
const { gateway, url } = await startBenchGateway(upstreamURL);
process.send!({ url });
process.once('message', async () => {
  await gateway.close({ deadlineMs: 100 });
  upstream.closeAllConnections();
  upstream.close();
  process.exit(0);
});
