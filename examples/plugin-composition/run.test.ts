import { expect, it } from 'vitest';
import { runComposition } from './run.js';

it('serves one routed request through plugin-onnx, plugin-cloud-llm and the third-party plugin', async () => {
  const lines: string[] = [];
  const results = await runComposition((line) => lines.push(line));
  expect(lines[0]).toBe('plugins: @switchyard/plugin-onnx, @switchyard/plugin-cloud-llm, @switchyard/example-third-party-plugin');
  expect(Object.fromEntries(Object.entries(results).map(([name, r]) => [name, `${r.decision.engine}:${r.decision.model}`]))).toEqual({
    digits: 'onnx:xybrid-digits',
    summarize: 'local-llm:summarizer-1',
    redact: 'pii-redactor:pii',
  });
  const digits = results.digits!.output;
  expect(digits.kind).toBe('tensors');
  if (digits.kind === 'tensors') expect(Object.values(digits.tensors)[0]!.dims).toEqual([1, 10]);
  expect(results.summarize!.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: 10, costUsd: expect.any(Number) });
  expect(results.redact!.output).toEqual({ kind: 'text', text: 'Please refund order 1182. Reach me at [EMAIL] or [PHONE].' });
});
