import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineStreamPart } from '@switchyard/spec';
import { checkChatResult, checkEngineShape, checkRunResult, checkStreamParts, checkSwitchyardError, diffActiveResources } from './conformance-checks.js';
import { createWordEchoEngine } from '../test/word-echo-engine.js';

describe('checkEngineShape', () => {
  it('accepts a conforming engine', () => {
    expect(checkEngineShape(createWordEchoEngine())).toEqual([]);
  });
  it('names every contract violation', () => {
    const bad = { ...createWordEchoEngine(), specificationVersion: 'v2', id: '', capabilities: { workloads: ['chat'], targets: [], features: [1] }, doStream: undefined };
    expect(checkEngineShape(bad)).toEqual([
      `specificationVersion must be 'v1', found "v2"`,
      'id must be a non-empty string, found ""',
      'doStream must be a function',
      'capabilities.workloads has unknown workload "chat"',
      'capabilities.targets must be a non-empty array',
      'capabilities.features must be an array of strings',
    ]);
  });
});

describe('checkChatResult', () => {
  const chat = { modelId: 'm', workload: 'completion' as const, input: { kind: 'text' as const, messages: [{ role: 'user' as const, content: 'hello there' }] } };

  it('accepts an engine that reads messages', async () => {
    const engine = createWordEchoEngine();
    await engine.doLoad({ id: 'm', files: {} }, new AbortController().signal);
    expect(checkChatResult(await engine.doRun(chat, new AbortController().signal))).toEqual([]);
  });

  it('flags a prompt-only engine, which answers a chat with nothing', async () => {
    const promptOnly = createWordEchoEngine({
      async doRun(request) {
        const text = request.input.kind === 'text' ? (request.input.prompt ?? '') : '';
        return { output: { kind: 'text', text }, finishReason: 'stop' };
      },
    });
    expect(checkChatResult(await promptOnly.doRun(chat, new AbortController().signal))).toEqual([
      'the answer to a messages request is empty: does the engine read input.messages, or only input.prompt?',
    ]);
    expect(checkChatResult({ output: { kind: 'json', value: {} } })).toEqual([`a completion must answer with output.kind 'text', found "json"`]);
  });
});

describe('checkRunResult', () => {
  it('rejects unknown output kinds and negative usage', () => {
    expect(checkRunResult({ output: { kind: 'blob' }, usage: { inputTokens: -1 }, finishReason: 'done' })).toEqual([
      'output.kind must be one of text/embeddings/tensors/json, found "blob"',
      'finishReason "done" is not a FinishReason',
      'usage.inputTokens must be a non-negative number, found -1',
    ]);
  });
});

describe('checkStreamParts', () => {
  const ok: EngineStreamPart[] = [
    { type: 'start', modelId: 'm' },
    { type: 'delta', kind: 'text', text: 'a' },
    { type: 'finish', usage: {}, finishReason: 'stop' },
  ];
  it('accepts start, delta, finish', () => {
    expect(checkStreamParts(ok, 'm')).toEqual([]);
  });
  it('flags a missing start, a part after finish and a wrong model id', () => {
    expect(checkStreamParts([ok[1]!, ok[2]!, ok[1]!], 'm')).toEqual([
      "first part must be 'start', found 'delta'",
      "last part must be 'finish', found 'delta'",
    ]);
    expect(checkStreamParts([{ type: 'start', modelId: 'x' }, ok[1]!, ok[2]!], 'm')).toEqual(["start.modelId must be 'm', found 'x'"]);
  });
});

describe('checkSwitchyardError', () => {
  it('rejects plain errors, success and wrong codes', () => {
    expect(checkSwitchyardError(new TypeError('boom'))).toEqual(['expected a SwitchyardError, found TypeError: boom']);
    expect(checkSwitchyardError(undefined)).toEqual(['expected an error, but the call succeeded']);
    expect(checkSwitchyardError(new SwitchyardError({ code: 'INTERNAL', message: 'x' }), ['ABORTED'])).toEqual(['expected code ABORTED, found INTERNAL (x)']);
    expect(checkSwitchyardError(new SwitchyardError({ code: 'ABORTED', message: 'x' }), ['ABORTED'])).toEqual([]);
  });
});

describe('diffActiveResources', () => {
  it('reports resource types that grew, minus ignored ones', () => {
    const before = new Map([['TCPSocketWrap', 1]]);
    const after = new Map([['TCPSocketWrap', 3], ['Timeout', 2], ['FSReqCallback', 1]]);
    expect(diffActiveResources(before, after, ['FSReqCallback'])).toEqual(['TCPSocketWrap: 1 -> 3', 'Timeout: 0 -> 2']);
    expect(diffActiveResources(before, after, ['FSReqCallback'], { TCPSocketWrap: 2 })).toEqual(['Timeout: 0 -> 2']);
  });
});
