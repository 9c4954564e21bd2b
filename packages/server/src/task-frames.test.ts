import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/core';
import { deltaFrameData, embeddingRows, errorFrame, outputFrameData, serializeFrame } from './task-frames.js';

describe('task frames', () => {
  it('serializes typed arrays inside json outputs as plain arrays', () => {
    const text = serializeFrame({ event: 'delta', data: { kind: 'json', value: { dims: [1, 2], data: new Float32Array([0.5, 1]), ids: new BigInt64Array([7n]) } } });
    expect(text).toBe('event: delta\ndata: {"kind":"json","value":{"dims":[1,2],"data":[0.5,1],"ids":[7]}}\n\n');
  });

  it('reads embedding rows from vectors or a [n, d] tensor', () => {
    expect(embeddingRows({ kind: 'embeddings', vectors: [[1, 2]] })).toEqual([[1, 2]]);
    expect(embeddingRows({ kind: 'json', value: { dims: [2, 2], data: new Float32Array([1, 2, 3, 4]) } })).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(embeddingRows({ kind: 'json', value: 'nope' })).toEqual([]);
  });

  it('a refusal is carried apart from the text: on the run output and as refusal deltas', () => {
    expect(outputFrameData({ kind: 'text', text: '', refusal: 'I cannot' })).toEqual({ kind: 'text', text: '', refusal: 'I cannot' });
    expect(outputFrameData({ kind: 'text', text: 'hi' })).toEqual({ kind: 'text', text: 'hi' });
    expect(deltaFrameData({ kind: 'refusal', text: 'I ' })).toEqual({ kind: 'refusal', text: 'I ' });
  });

  it('error frames use the public envelope (INTERNAL hides the message)', () => {
    expect(errorFrame(new SwitchyardError({ code: 'TIMEOUT', message: 'took too long', retriable: true, retryAfterMs: 10 })).data).toEqual({
      code: 'TIMEOUT',
      message: 'took too long',
      retriable: true,
      retry_after_ms: 10,
    });
    expect(errorFrame(new Error('/home/me/secret path')).data).toEqual({ code: 'INTERNAL', message: 'Internal error; see the server log for this correlation id', retriable: false });
  });
});
