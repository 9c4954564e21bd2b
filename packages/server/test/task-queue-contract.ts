import { afterEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../src/server-config.js';
import type { SwitchyardServer } from '../src/create-server.js';
import { OrchestratorDouble, type DoubleModel } from '../src/test-support/orchestrator-double.js';
import { readSseFrames, type ParsedFrame } from '../src/test-support/sse-client.js';

/** What a TaskQueue implementation must provide to run the contract: a listening server over the given double. */
export interface ContractHarness {
  start(orchestrator: OrchestratorDouble, config: ServerConfig & { concurrency: number }): Promise<{ server: SwitchyardServer; url: string; stop(): Promise<void> }>;
}

const MODELS: Record<string, DoubleModel> = {
  echo: {},
  gated: { gated: true, tokens: ['g'] },
  slow: { tokens: Array.from({ length: 40 }, (_, i) => `w${i} `) },
};

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The TaskQueue contract, through the HTTP API: priorities, admission policies, cancel, deadlines, frame order
 * and replay (with Last-Event-ID). Run by the embedded scheduler's tests and by @switchyard/queue-bullmq's.
 */
export function taskQueueContract(name: string, harness: ContractHarness, skip?: string): void {
  describe.skipIf(skip !== undefined)(`TaskQueue contract: ${name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    let stop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await stop?.();
      stop = undefined;
    });

    async function start(config: ServerConfig & { concurrency: number }, tokenDelayMs = 2) {
      const orchestrator = new OrchestratorDouble(MODELS, tokenDelayMs);
      const started = await harness.start(orchestrator, config);
      stop = started.stop;
      const post = async (body: Record<string, unknown>) => {
        const response = await fetch(`${started.url}/v2/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const events = async (id: string, lastEventId?: number) => {
        const response = await fetch(`${started.url}/v2/tasks/${id}/events`, lastEventId === undefined ? {} : { headers: { 'last-event-id': String(lastEventId) } });
        return response.text();
      };
      const frames = async (id: string) => {
        const response = await fetch(`${started.url}/v2/tasks/${id}/events`);
        const all: ParsedFrame[] = [];
        for await (const frame of readSseFrames(response.body!)) all.push(frame);
        return all;
      };
      const state = async (id: string) => ((await (await fetch(`${started.url}/v2/tasks/${id}`)).json()) as { state: string }).state;
      return { orchestrator, url: started.url, post, events, frames, state };
    }

    it('frame order: started, tokens in order, metrics, end; replay is identical; Last-Event-ID resumes without repeats', async () => {
      const { post, events, frames } = await start({ concurrency: 2 });
      expect((await post({ task_id: 'order', model_ref: 'echo', prompt: 'one two three four' })).status).toBe(202);
      const live = await frames('order');
      expect(live.map((frame) => frame.event)).toEqual(['started', 'token', 'token', 'token', 'token', 'metrics', 'end']);
      expect(live.filter((frame) => frame.event === 'token').map((frame) => frame.data.t)).toEqual(['one ', 'two ', 'three ', 'four']);
      const first = await events('order');
      expect(await events('order')).toBe(first);
      const resumed = await events('order', 1);
      expect(resumed).not.toContain('id: 0\n');
      expect(resumed).not.toContain('id: 1\n');
      expect(resumed).toContain('id: 2\n');
      expect(first.endsWith(resumed.slice(resumed.indexOf('id: 2\n')))).toBe(true);
    });

    it('deadlines use the model\'s own service time: a slow model is refused after fast runs of another on its engine', async () => {
      const { orchestrator, post, state } = await start({ concurrency: 1 }, 0);
      await post({ task_id: 'slow-1', model_ref: 'gated', prompt: 'x' });
      await until(() => orchestrator.waiting === 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      orchestrator.release();
      await until(async () => (await state('slow-1')) === 'completed');
      for (let i = 0; i < 8; i++) {
        await post({ task_id: `fast-${i}`, model_ref: 'echo', prompt: 'x' });
        await until(async () => (await state(`fast-${i}`)) === 'completed');
      }
      // Distributed queues read the workers' figures every 250 ms.
      await new Promise((resolve) => setTimeout(resolve, 400));
      // The engine's average is now far below 150 ms; the slow model's own is about 300 ms.
      const refused = await post({ task_id: 'slow-2', model_ref: 'gated', prompt: 'x', deadline_ms: 150 });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'DEADLINE_UNMET' });
      expect((await post({ task_id: 'fast-ok', model_ref: 'echo', prompt: 'x', deadline_ms: 150 })).status).toBe(202);
    });

    it('priorities: interactive tasks run before batch tasks queued earlier', async () => {
      const { orchestrator, post, state } = await start({ concurrency: 1 });
      await post({ task_id: 'hold', model_ref: 'gated', prompt: 'x' });
      await until(() => orchestrator.waiting === 1);
      await post({ task_id: 'b1', model_ref: 'echo', prompt: 'b', priority: 'batch' });
      await post({ task_id: 'b2', model_ref: 'echo', prompt: 'b', priority: 'batch' });
      await post({ task_id: 'i1', model_ref: 'echo', prompt: 'i', priority: 'interactive' });
      orchestrator.release();
      await until(async () => (await state('b2')) === 'completed');
      const order = orchestrator.calls.map((call) => (call.request.input.kind === 'text' ? call.request.input.prompt : '')).slice(1);
      expect(order).toEqual(['i', 'b', 'b']);
    });

    it('policy reject: a full queue answers 429 ADMISSION_REJECT with a backoff', async () => {
      const { orchestrator, post } = await start({ concurrency: 1, admission: { batchCapacity: 1, interactiveCapacity: 1, policy: 'reject' } });
      await post({ task_id: 'hold', model_ref: 'gated', prompt: 'x' });
      await until(() => orchestrator.waiting === 1);
      expect((await post({ task_id: 'q1', model_ref: 'echo', prompt: 'x', priority: 'batch' })).status).toBe(202);
      const rejected = await post({ task_id: 'q2', model_ref: 'echo', prompt: 'x', priority: 'batch' });
      expect(rejected.status).toBe(429);
      expect(rejected.body).toMatchObject({ code: 'ADMISSION_REJECT' });
      orchestrator.release();
    });

    it('policy drop-lru: the oldest batch task is dropped with QUEUE_FULL_DROP_LRU', async () => {
      const { orchestrator, post, frames } = await start({ concurrency: 1, admission: { batchCapacity: 1, interactiveCapacity: 1, policy: 'drop-lru' } });
      await post({ task_id: 'hold', model_ref: 'gated', prompt: 'x' });
      await until(() => orchestrator.waiting === 1);
      expect((await post({ task_id: 'old', model_ref: 'echo', prompt: 'x', priority: 'batch' })).status).toBe(202);
      expect((await post({ task_id: 'new', model_ref: 'echo', prompt: 'x', priority: 'batch' })).status).toBe(202);
      const dropped = await frames('old');
      expect(dropped.at(-1)).toMatchObject({ event: 'error', data: { code: 'QUEUE_FULL_DROP_LRU' } });
      orchestrator.release();
      expect((await frames('new')).at(-1)!.event).toBe('end');
    });

    it('cancel: a running stream stops with an ABORTED frame and no token after it; a queued task never runs', async () => {
      const { orchestrator, url, post, state } = await start({ concurrency: 1 }, 20);
      await post({ task_id: 'long', model_ref: 'slow', prompt: 'x' });
      await post({ task_id: 'waiting', model_ref: 'echo', prompt: 'never' , priority: 'batch' });
      const response = await fetch(`${url}/v2/tasks/long/events`);
      const seen: ParsedFrame[] = [];
      for await (const frame of readSseFrames(response.body!)) {
        seen.push(frame);
        if (frame.event === 'token' && frame.data.i === 2) {
          expect((await fetch(`${url}/v2/tasks/waiting/cancel`, { method: 'POST' })).status).toBe(204);
          expect((await fetch(`${url}/v2/tasks/long/cancel`, { method: 'POST' })).status).toBe(204);
        }
      }
      expect(seen.at(-1)).toMatchObject({ event: 'error', data: { code: 'ABORTED' } });
      expect(seen.filter((frame) => frame.event === 'token').length).toBeLessThan(10);
      expect(await state('waiting')).toBe('canceled');
      await until(() => orchestrator.calls.length >= 1);
      expect(orchestrator.calls.some((call) => call.request.input.kind === 'text' && call.request.input.prompt === 'never')).toBe(false);
    });

    it('deadlines: a deadline the measured service time cannot meet is refused at admission', async () => {
      const { post, frames } = await start({ concurrency: 1 }, 20);
      await post({ task_id: 'measure', model_ref: 'slow', prompt: 'x' });
      await frames('measure');
      await new Promise((resolve) => setTimeout(resolve, 400)); // the Redis queue refreshes its service-time snapshot every 250 ms
      const refused = await post({ task_id: 'late', model_ref: 'slow', prompt: 'x', deadline_ms: 5 });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'DEADLINE_UNMET' });
    });
  });
}
