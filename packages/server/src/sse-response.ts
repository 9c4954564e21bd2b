import type { FastifyReply } from 'fastify';
import type { ServerTask, SseFrame } from './server-task.js';
import { serializeFrame } from './task-frames.js';

export interface SseWriter {
  write(chunk: string): void;
  end(): void;
  /** True when the client went away before end(). */
  readonly closedByClient: boolean;
  onClientClose(listener: () => void): void;
}

/** Takes the response over from Fastify and writes text/event-stream headers (keeping X-Correlation-Id etc.). */
export function openSse(reply: FastifyReply): SseWriter {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let ended = false;
  let closedByClient = false;
  // Frames produced in the same event-loop turn go out as one string in one write (one chunk, one syscall):
  // a model's burst of parts, or an upstream read that carried many SSE events, costs one write, not one each.
  let pending = '';
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    if (ended || pending === '') return;
    const out = pending;
    pending = '';
    if (!raw.destroyed) raw.write(out);
  };
  const listeners: (() => void)[] = [];
  raw.on('close', () => {
    if (ended) return;
    closedByClient = true;
    pending = '';
    for (const listener of listeners) listener();
  });
  return {
    write(chunk) {
      if (ended || raw.destroyed) return;
      pending += chunk;
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    end() {
      if (ended) return;
      ended = true;
      const out = pending;
      pending = '';
      if (out === '' || raw.destroyed) raw.end();
      else raw.end(out);
    },
    get closedByClient() {
      return closedByClient;
    },
    onClientClose(listener) {
      listeners.push(listener);
    },
  };
}

/** Replays a task's frames after `afterSeq`, then follows it live; returns the unsubscribe function. */
export function followTask(task: ServerTask, onFrame: (frame: SseFrame, seq: number) => void, afterSeq = -1): () => void {
  for (let seq = afterSeq + 1; seq < task.frames.length; seq += 1) onFrame(task.frames[seq]!, seq);
  if (task.terminal) return () => undefined;
  return task.subscribe((frame) => onFrame(frame, task.frames.length - 1));
}

export function isTerminalFrame(frame: SseFrame): boolean {
  return frame.event === 'end' || frame.event === 'error';
}

/**
 * Streams a task as SSE: `started` (current queue position) first, then every frame after `afterSeq` with
 * `id: <seq>` (resume with Last-Event-ID); ends after `end`/`error`. A client that disconnects before the end
 * cancels the task when nobody else is listening.
 */
export function streamTaskEvents(task: ServerTask, sse: SseWriter, position: { queuePosition: number; predictedStartMs: number }, cancel: () => void, afterSeq = -1): void {
  sse.write(serializeFrame({ event: 'started', data: { task_id: task.id, queue_position: position.queuePosition, predicted_start_ms: position.predictedStartMs } }));
  let done = false;
  const unsubscribe = followTask(
    task,
    (frame, seq) => {
      sse.write(`id: ${seq}\n${serializeFrame(frame)}`);
      if (isTerminalFrame(frame)) {
        done = true;
        sse.end();
      }
    },
    afterSeq,
  );
  if (task.terminal && !done) sse.end();
  sse.onClientClose(() => {
    unsubscribe();
    if (!task.terminal && task.subscriberCount === 0) cancel();
  });
}

/** Cancels a non-streaming request's task when the client goes away before the response was written. */
export function cancelOnDisconnect(reply: FastifyReply, cancel: () => void): void {
  // `on`, not `once`: a response closes once, and `once` costs a wrapper to add and a removal when it fires.
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) cancel();
  });
}
