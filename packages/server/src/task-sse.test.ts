import { afterEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { createServer, type SwitchyardServer } from './create-server.js';
import type { ServerConfig } from './server-config.js';
import { OrchestratorDouble } from './test-support/orchestrator-double.js';
import { readSseFrames, type ParsedFrame } from './test-support/sse-client.js';
import type { TaskScheduler } from './task-scheduler.js';

declare global {
  // Test-only: read JSON bodies without a cast at every call.
  interface Response {
    json(): Promise<any>;
  }
}

let server: SwitchyardServer | undefined;
afterEach(async () => {
  await server?.close({ deadlineMs: 50 });
  server = undefined;
});

const WORDS = Array.from({ length: 200 }, (_, index) => `w${index} `);

async function start(config: ServerConfig = {}, tokenDelayMs = 2) {
  const orchestrator = new OrchestratorDouble(
    {
      echo: {},
      long: { tokens: WORDS },
      gated: { gated: true, tokens: ['a ', 'b '] },
      broken: { tokens: ['x ', 'y ', 'z '], error: new SwitchyardError({ code: 'CONNECTION_FAILED', message: 'worker reset mid-stream', retriable: true }), failAfterTokens: 2 },
    },
    tokenDelayMs,
  );
  server = await createServer({ orchestrator, config, defaultMetrics: false });
  const base = await server.listen({ host: '127.0.0.1', port: 0 });
  const post = (path: string, body?: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { orchestrator, base, post, scheduler: server.scheduler as TaskScheduler };
}

async function collect(response: Response): Promise<ParsedFrame[]> {
  const frames: ParsedFrame[] = [];
  for await (const frame of readSseFrames(response.body!)) frames.push(frame);
  return frames;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('task SSE', () => {
  it('emits started -> token* -> metrics -> end in order', async () => {
    const { base, post } = await start();
    const admitted = await post('/v2/tasks', { model_ref: 'echo', prompt: 'one two three' });
    expect(admitted.status).toBe(202);
    const ticket = await admitted.json();
    expect(ticket).toMatchObject({ queue_position: 0, predicted_start_ms: 0, backoff_ms: 0, streams: { sse: `/v2/tasks/${ticket.task_id}/events` } });
    const events = await fetch(`${base}${ticket.streams.sse}`);
    expect(events.headers.get('content-type')).toContain('text/event-stream');
    expect(events.headers.get('x-correlation-id')).toBeTruthy();
    const frames = await collect(events);
    expect(frames.map((frame) => frame.event)).toEqual(['started', 'token', 'token', 'token', 'metrics', 'end']);
    expect(frames.filter((frame) => frame.event === 'token').map((frame) => frame.data)).toEqual([
      { t: 'one ', i: 0 },
      { t: 'two ', i: 1 },
      { t: 'three', i: 2 },
    ]);
    expect(frames.at(-1)!.data).toMatchObject({ tokens_out: 3, finish_reason: 'stop' });
    const status = await (await fetch(`${base}/v2/tasks/${ticket.task_id}`)).json();
    expect(status.state).toBe('completed');
    const transcript = await (await fetch(`${base}/v2/artifacts/${status.transcript_artifact}`)).text();
    expect(transcript).toContain('event: end');
  });

  it('started carries the queue position while waiting; admission predicts from measured service time', async () => {
    const { base, post, orchestrator } = await start({ admission: { concurrency: { default: 1 } } });
    const first = await (await post('/v2/tasks', { task_id: 'first', model_ref: 'gated', prompt: 'x' })).json();
    const second = await (await post('/v2/tasks', { task_id: 'second', model_ref: 'gated', prompt: 'x' })).json();
    const third = await (await post('/v2/tasks', { task_id: 'third', model_ref: 'gated', prompt: 'x', priority: 'batch' })).json();
    expect([first.queue_position, second.queue_position, third.queue_position]).toEqual([0, 0, 1]);
    expect(second.predicted_start_ms).toBe(500);
    expect(third.predicted_start_ms).toBe(1000);
    const events = await fetch(`${base}/v2/tasks/third/events`);
    const reader = readSseFrames(events.body!);
    const started = (await reader.next()).value!;
    expect(started).toEqual({ event: 'started', data: { task_id: 'third', queue_position: 1, predicted_start_ms: 1000 } });
    await until(() => orchestrator.waiting === 1);
    orchestrator.release();
    await until(() => orchestrator.waiting === 1 && (server!.scheduler as TaskScheduler).get('first')!.state === 'completed');
    orchestrator.release();
    await until(() => orchestrator.waiting === 1);
    orchestrator.release();
    const rest: string[] = [];
    for await (const frame of reader) rest.push(frame.event);
    expect(rest).toEqual(['token', 'token', 'metrics', 'end']);
  });

  it('the ETA is per model: a slow model queued behind itself is not under-predicted after fast runs of another model', async () => {
    const { post, orchestrator } = await start({ admission: { concurrency: { default: 1 } } }, 0);
    const run = async (model: string, release = false) => {
      const ticket = await (await post('/v2/tasks', { model_ref: model, prompt: 'x' })).json();
      if (release) {
        await until(() => orchestrator.waiting === 1);
        await new Promise((resolve) => setTimeout(resolve, 300));
        orchestrator.release();
      }
      await until(() => (server!.scheduler as TaskScheduler).get(ticket.task_id)?.state === 'completed');
    };
    await run('gated', true);
    for (let i = 0; i < 8; i++) await run('echo');
    // One slow task running, another queued behind it: each wave is the slow model's ~300 ms, not the engine's
    // average (pulled down to a few ms by the eight fast runs).
    const running = await (await post('/v2/tasks', { model_ref: 'gated', prompt: 'x' })).json();
    await until(() => orchestrator.waiting === 1);
    const queued = await (await post('/v2/tasks', { model_ref: 'gated', prompt: 'x' })).json();
    expect(running.predicted_start_ms).toBe(0);
    expect(queued.predicted_start_ms).toBeGreaterThanOrEqual(290);
    orchestrator.release();
    await until(() => orchestrator.waiting === 1);
    orchestrator.release();
  });

  it('cancel mid-stream: 204, no token after cancel returns, the engine signal fires', async () => {
    const { base, post, orchestrator } = await start({}, 5);
    const ticket = await (await post('/v2/tasks', { model_ref: 'long', prompt: 'go' })).json();
    const events = await fetch(`${base}${ticket.streams.sse}`);
    const frames: ParsedFrame[] = [];
    let canceledAt = -1;
    for await (const frame of readSseFrames(events.body!)) {
      frames.push(frame);
      if (frame.event === 'token' && frame.data.i === 3) {
        const cancel = await post(`/v2/tasks/${ticket.task_id}/cancel`);
        expect(cancel.status).toBe(204);
        const status = await (await fetch(`${base}/v2/tasks/${ticket.task_id}`)).json();
        expect(status.state).toBe('canceled');
        canceledAt = status.frames;
      }
    }
    const last = frames.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toMatchObject({ code: 'ABORTED' });
    // the client got exactly the frames the server had recorded when cancel returned (+ synthesized `started`)
    expect(frames.length).toBe(canceledAt + 1);
    expect(frames.filter((frame) => frame.event === 'token').length).toBeLessThan(WORDS.length);
    await until(() => orchestrator.abortedCalls === 1);
    expect(orchestrator.calls[0]!.signal!.aborted).toBe(true);
  });

  it('a client disconnect cancels the task', async () => {
    const { base, post, orchestrator, scheduler } = await start({}, 5);
    const ticket = await (await post('/v2/tasks', { model_ref: 'long', prompt: 'go' })).json();
    const controller = new AbortController();
    const events = await fetch(`${base}${ticket.streams.sse}`, { signal: controller.signal });
    const reader = readSseFrames(events.body!);
    for (let i = 0; i < 3; i += 1) await reader.next();
    controller.abort();
    await until(() => scheduler.get(ticket.task_id)!.state === 'canceled');
    await until(() => orchestrator.abortedCalls === 1);
    expect(scheduler.get(ticket.task_id)!.frames.at(-1)!.data.message).toContain('disconnect');
  });

  it('a client that drops a non-streaming chat request cancels its task', async () => {
    const { base, orchestrator } = await start();
    const controller = new AbortController();
    const pending = fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gated', messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    }).catch((error: Error) => error.name);
    await until(() => orchestrator.waiting === 1);
    controller.abort();
    expect(await pending).toBe('AbortError');
    await until(() => orchestrator.abortedCalls === 1);
    expect(orchestrator.calls[0]!.signal!.aborted).toBe(true);
  });

  it('an engine error mid-stream becomes an error frame that ends the stream', async () => {
    const { base, post } = await start();
    const ticket = await (await post('/v2/tasks', { model_ref: 'broken', prompt: 'x' })).json();
    const frames = await collect(await fetch(`${base}${ticket.streams.sse}`));
    expect(frames.map((frame) => frame.event)).toEqual(['started', 'token', 'token', 'error']);
    expect(frames.at(-1)!.data).toEqual({ code: 'CONNECTION_FAILED', message: 'worker reset mid-stream', retriable: true });
  });

  it('an unknown model ends the stream with a NO_SUCH_MODEL error frame', async () => {
    const { base, post } = await start();
    const ticket = await (await post('/v2/tasks', { model_ref: 'nope', prompt: 'x' })).json();
    const frames = await collect(await fetch(`${base}${ticket.streams.sse}`));
    expect(frames.map((frame) => frame.event)).toEqual(['started', 'error']);
    expect(frames[1]!.data.code).toBe('NO_SUCH_MODEL');
  });

  it('Accept: text/event-stream on POST /v2/tasks admits and streams in one call', async () => {
    const { base } = await start();
    const response = await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model_ref: 'echo', prompt: 'hi there' }),
    });
    expect(response.status).toBe(200);
    expect((await collect(response)).map((frame) => frame.event)).toEqual(['started', 'token', 'token', 'metrics', 'end']);
  });
});

describe('admission', () => {
  it('a full queue under policy reject -> 429 with Retry-After, X-Backoff-Ms and the envelope', async () => {
    const { post, orchestrator } = await start({ admission: { concurrency: { default: 1 }, interactiveCapacity: 1, batchCapacity: 1, policy: 'reject' } });
    expect((await post('/v2/tasks', { model_ref: 'gated', prompt: 'x' })).status).toBe(202);
    expect((await post('/v2/tasks', { model_ref: 'gated', prompt: 'x' })).status).toBe(202);
    const rejected = await post('/v2/tasks', { model_ref: 'gated', prompt: 'x' });
    expect(rejected.status).toBe(429);
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect(rejected.headers.get('x-backoff-ms')).toBe('1000');
    expect(await rejected.json()).toMatchObject({ code: 'ADMISSION_REJECT', retriable: true, retry_after_ms: 1000, policy_label: 'reject' });
    // batch queue still has room
    expect((await post('/v2/tasks', { model_ref: 'gated', prompt: 'x', priority: 'batch' })).status).toBe(202);
    orchestrator.release();
  });

  it('drop-lru drops the oldest batch task first and it gets an error frame', async () => {
    const { base, post } = await start({ admission: { concurrency: { default: 1 }, interactiveCapacity: 1, batchCapacity: 2, policy: 'drop-lru' } });
    await post('/v2/tasks', { task_id: 'running', model_ref: 'gated', prompt: 'x' });
    await post('/v2/tasks', { task_id: 'b1', model_ref: 'gated', prompt: 'x', priority: 'batch' });
    await post('/v2/tasks', { task_id: 'b2', model_ref: 'gated', prompt: 'x', priority: 'batch' });
    await post('/v2/tasks', { task_id: 'i1', model_ref: 'gated', prompt: 'x' });
    const b1Events = fetch(`${base}/v2/tasks/b1/events`);
    const b1First = readSseFrames((await b1Events).body!);
    expect((await b1First.next()).value!.event).toBe('started');
    const i2 = await post('/v2/tasks', { task_id: 'i2', model_ref: 'gated', prompt: 'x' });
    expect(i2.status).toBe(202);
    const dropped = (await b1First.next()).value!;
    expect(dropped.event).toBe('error');
    expect(dropped.data).toMatchObject({ code: 'QUEUE_FULL_DROP_LRU', retriable: true, policy_label: 'drop-lru' });
    expect((await b1First.next()).done).toBe(true);
    expect((server!.scheduler as TaskScheduler).get('b2')!.state).toBe('queued');
    expect((server!.scheduler as TaskScheduler).get('i1')!.state).toBe('queued');
  });

  it('a deadline that cannot be met -> 400 DEADLINE_UNMET at admission', async () => {
    const { post, orchestrator } = await start({ admission: { concurrency: { default: 1 }, initialServiceMs: 2000 } });
    await post('/v2/tasks', { model_ref: 'gated', prompt: 'x' });
    const late = await post('/v2/tasks', { model_ref: 'gated', prompt: 'x', deadline_ms: 100 });
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ code: 'DEADLINE_UNMET', details: { field: 'deadline_ms', found: 100 } });
    orchestrator.release();
  });

  it('graceful shutdown stops admitting and cancels what outlives the deadline', async () => {
    const { post, scheduler } = await start({ admission: { concurrency: { default: 1 } } });
    await post('/v2/tasks', { task_id: 'stuck', model_ref: 'gated', prompt: 'x' });
    const closing = server!.close({ deadlineMs: 50 });
    expect(() => scheduler.submit({ taskId: 'late', workload: 'completion', modelRef: 'echo', priority: 'interactive', input: { kind: 'text', prompt: 'x' }, stream: true })).toThrow(/shutting down/);
    expect(await closing).toEqual({ canceled: 1 });
    expect(scheduler.get('stuck')!.state).toBe('canceled');
  });
});
