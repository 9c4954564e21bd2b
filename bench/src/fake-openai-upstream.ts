/**
 * Child process: a fake OpenAI-wire upstream (the real SSE format) for the gateway-tool-stream benches, in its own
 * process like a real provider, so its pacing is not delayed by work in the bench process. Answers every POST with
 * one tool call whose arguments arrive in 24 deltas, then usage; argv[2] = paceMs (0: all at once, else one event
 * every paceMs). Sends {url} over IPC; exits on any message.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UPSTREAM_EVENTS } from './gateway-tool-stream-events.js';

const paceMs = Number(process.argv[2] ?? 0);
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (paceMs <= 0) return res.end(UPSTREAM_EVENTS.join(''));
    let next = 0;
    const send = () => {
      if (res.destroyed) return;
      res.write(UPSTREAM_EVENTS[next++]);
      if (next < UPSTREAM_EVENTS.length) setTimeout(send, paceMs);
      else res.end();
    };
    setTimeout(send, paceMs);
  });
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
process.send!({ url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1` });
process.once('message', () => {
  upstream.closeAllConnections();
  upstream.close(() => process.exit(0));
});
