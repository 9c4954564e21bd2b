import { randomBytes } from 'node:crypto';
import type { EngineOutput, EngineStreamDelta, ToolCall } from '@switchyard/core';
import { toErrorEnvelope } from './http-error.js';
import type { SseFrame } from './server-task.js';

/** `error` frame for anything thrown; same envelope as HTTP errors. */
export function errorFrame(error: unknown): SseFrame {
  return { event: 'error', data: { ...toErrorEnvelope(error) } };
}

function plainTensor(tensor: { type: string; dims: readonly number[]; data: unknown }): Record<string, unknown> {
  const data = tensor.data as ArrayLike<number | bigint | string>;
  return { type: tensor.type, dims: tensor.dims, data: Array.from(data, (value) => (typeof value === 'bigint' ? Number(value) : value)) };
}

/** JSON form of a non-text stream delta (`delta` frame; refusal text is `{kind:'refusal', text}`). */
export function deltaFrameData(delta: EngineStreamDelta): Record<string, unknown> {
  switch (delta.kind) {
    case 'json':
      return { kind: 'json', value: delta.value };
    case 'tensor':
      return { kind: 'tensor', tensors: Object.fromEntries(Object.entries(delta.tensors).map(([name, tensor]) => [name, plainTensor(tensor)])) };
    case 'audio':
      return { kind: 'audio', sample_rate: delta.sampleRate, samples: Array.from(delta.samples) };
    default:
      return { kind: delta.kind, text: delta.text ?? '' };
  }
}

/**
 * The ids clients see for one answer's tool calls: the engine's, unless it sent none, "" or one already used in the
 * answer (clients pair calls with results by id, so two calls never share one).
 */
export class ToolCallIds {
  private readonly used = new Set<string>();
  private readonly current = new Map<string, string>();

  /** The id of a call that begins; later parts of it name the engine's id (`of`). */
  start(engineId: string): string {
    const id = engineId !== '' && !this.used.has(engineId) ? engineId : `call_${randomBytes(12).toString('hex')}`;
    this.used.add(id);
    this.current.set(engineId, id);
    return id;
  }

  of(engineId: string): string {
    return this.current.get(engineId) ?? engineId;
  }
}

function toolCallsData(calls: readonly ToolCall[]): { id: string; name: string; arguments: string }[] {
  const ids = new ToolCallIds();
  return calls.map((call) => ({ id: ids.start(call.id), name: call.name, arguments: call.arguments }));
}

/** JSON form of a whole run result (`delta` frame of a non-streaming task). */
export function outputFrameData(output: EngineOutput): Record<string, unknown> {
  switch (output.kind) {
    case 'text': {
      const data: Record<string, unknown> = output.toolCalls?.length ? { kind: 'text', text: output.text, tool_calls: toolCallsData(output.toolCalls) } : { kind: 'text', text: output.text };
      if (output.refusal !== undefined) data.refusal = output.refusal;
      return data;
    }
    case 'embeddings':
      return { kind: 'embeddings', vectors: output.vectors };
    case 'tensors':
      return { kind: 'tensors', tensors: Object.fromEntries(Object.entries(output.tensors).map(([name, tensor]) => [name, plainTensor(tensor)])) };
    default:
      return { kind: 'json', value: output.value };
  }
}

/** JSON.stringify replacer: typed arrays (pipeline tensors inside json outputs) become plain arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (item) => (typeof item === 'bigint' ? Number(item) : item));
  }
  return value;
}

export function serializeFrame(frame: SseFrame): string {
  return `event: ${frame.event}\ndata: ${JSON.stringify(frame.data, jsonReplacer)}\n\n`;
}

/** Embedding rows from a run output frame: `{kind:'embeddings', vectors}` or a json tensor `{dims:[n, d], data}`. */
export function embeddingRows(output: Record<string, unknown> | undefined): number[][] {
  if (!output) return [];
  if (Array.isArray(output.vectors)) return output.vectors as number[][];
  const value = output.value as { dims?: readonly number[]; data?: ArrayLike<number> } | undefined;
  if (value && Array.isArray(value.dims) && value.data !== undefined && value.dims.length >= 1) {
    const data = Array.from(value.data, Number);
    const rows = value.dims.length === 1 ? 1 : value.dims[0]!;
    const width = data.length / Math.max(1, rows);
    return Array.from({ length: rows }, (_, row) => data.slice(row * width, (row + 1) * width));
  }
  return [];
}
