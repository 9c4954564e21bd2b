import { SwitchyardError } from '@switchyard/core';
import type { FastifyReply } from 'fastify';
import type { ServerTask, SseFrame } from '../server-task.js';
import { followTask, isTerminalFrame, type SseWriter } from '../sse-response.js';

/** Error frame -> SwitchyardError so the HTTP status map applies; `fieldName` maps engine parameter names to wire names. */
export function frameError(frame: SseFrame, fieldName: (field: string) => string = (field) => field): SwitchyardError {
  const data = frame.data as {
    code: SwitchyardError['code'];
    message: string;
    retriable?: boolean;
    retry_after_ms?: number;
    policy_label?: string;
    engine?: string;
    details?: Record<string, unknown>;
  };
  const field = typeof data.details?.field === 'string' ? data.details.field : undefined;
  const wire = field !== undefined ? fieldName(field) : undefined;
  const message = field !== undefined && wire !== field ? data.message.split(`'${field}'`).join(`'${wire}'`) : data.message;
  return new SwitchyardError({
    code: data.code,
    message,
    retriable: data.retriable,
    retryAfterMs: data.retry_after_ms,
    details: {
      ...data.details,
      ...(wire !== undefined ? { field: wire } : {}),
      ...(data.policy_label ? { policy_label: data.policy_label } : {}),
      ...(data.engine ? { engine: data.engine } : {}),
    },
  });
}

/** One tool call assembled from a task's frames (or its run output). */
export interface AssembledToolCall {
  readonly id: string;
  readonly name: string;
  arguments: string;
}

/** A finished chat task: its text, refusal, tool calls, end frame and the parameters dropped on the way. */
export interface ChatTaskResult {
  readonly text: string;
  /** The model declined: its explanation (absent when it answered). */
  readonly refusal?: string;
  readonly toolCalls: readonly AssembledToolCall[];
  readonly end: SseFrame;
  readonly dropped: readonly string[];
}

/** Waits for a non-streaming (or streaming) chat task to end and assembles its output; error frames throw. */
export async function collectChatTask(task: ServerTask, fieldName?: (field: string) => string): Promise<ChatTaskResult> {
  let text = '';
  let refusal: string | undefined;
  // The calls in the order they came (created on the first one: most answers have none); streamed parts name
  // their call by id, which the task runner keeps unique within the answer.
  let calls: AssembledToolCall[] | undefined;
  let open: Map<string, AssembledToolCall> | undefined;
  const dropped: string[] = [];
  const end = await new Promise<SseFrame>((resolve) => {
    followTask(task, (frame) => {
      if (frame.event === 'token') text += String(frame.data.t);
      else if (frame.event === 'delta' && frame.data.kind === 'text') {
        text += String(frame.data.text);
        if (typeof frame.data.refusal === 'string') refusal = (refusal ?? '') + frame.data.refusal;
        for (const call of (frame.data.tool_calls ?? []) as AssembledToolCall[]) (calls ??= []).push({ ...call });
      } else if (frame.event === 'delta' && frame.data.kind === 'refusal') refusal = (refusal ?? '') + String(frame.data.text);
      else if (frame.event === 'tool-call-start') {
        const call = { id: String(frame.data.id), name: String(frame.data.name), arguments: '' };
        (calls ??= []).push(call);
        (open ??= new Map()).set(call.id, call);
      } else if (frame.event === 'tool-call-delta') {
        const call = open?.get(String(frame.data.id));
        if (call) call.arguments += String(frame.data.arguments);
      } else if (frame.event === 'dropped') dropped.push(...(frame.data.parameters as string[]).map((p) => fieldName?.(p) ?? p));
      if (isTerminalFrame(frame)) resolve(frame);
    });
  });
  if (end.event === 'error') throw frameError(end, fieldName);
  return { text, ...(refusal !== undefined ? { refusal } : {}), toolCalls: calls ?? NO_TOOL_CALLS, end, dropped };
}

const NO_TOOL_CALLS: readonly AssembledToolCall[] = Object.freeze([]);

/**
 * Waits for a streaming task's first real frame so that an early failure is still an HTTP error; `dropped`
 * frames before it only fill the dropped list (they become a response header). Later frames go to `onFrame`.
 */
export async function awaitStreamHead(
  task: ServerTask,
  fieldName?: (field: string) => string,
): Promise<{ head: SseFrame; dropped: string[]; later: (onFrame: (frame: SseFrame) => void) => void; unsubscribe: () => void }> {
  const dropped: string[] = [];
  const pending: SseFrame[] = [];
  let deliver: ((frame: SseFrame) => void) | undefined;
  let resolveHead!: (frame: SseFrame) => void;
  const headPromise = new Promise<SseFrame>((resolve) => (resolveHead = resolve));
  let seen = false;
  const unsubscribe = followTask(task, (frame) => {
    if (!seen && frame.event === 'dropped') {
      dropped.push(...(frame.data.parameters as string[]).map((p) => fieldName?.(p) ?? p));
      return;
    }
    if (!seen) {
      seen = true;
      resolveHead(frame);
    } else if (deliver) deliver(frame);
    else pending.push(frame);
  });
  const head = await headPromise;
  if (head.event === 'error') throw frameError(head, fieldName);
  return {
    head,
    dropped,
    later(onFrame) {
      deliver = onFrame;
      for (const frame of pending.splice(0)) onFrame(frame);
    },
    unsubscribe,
  };
}

/** Lists dropped request fields in `x-switchyard-dropped-params` (only when the caller opted into dropping). */
export function setDroppedHeader(reply: FastifyReply, dropped: readonly string[]): void {
  if (dropped.length > 0) reply.header('x-switchyard-dropped-params', [...new Set(dropped)].join(', '));
}

/** Writes the stream head, then every later frame; a client that hangs up unsubscribes and cancels the task. */
export function pumpStream(
  stream: { head: SseFrame; later: (onFrame: (frame: SseFrame) => void) => void; unsubscribe: () => void },
  sse: SseWriter,
  cancel: () => void,
  write: (frame: SseFrame) => void,
): void {
  sse.onClientClose(() => {
    stream.unsubscribe();
    cancel();
  });
  write(stream.head);
  stream.later(write);
}
