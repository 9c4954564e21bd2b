// Serves one routed request through each of three composed plugins and checks each answer.
//   npx tsx --conditions=@switchyard/source examples/plugin-composition/run.ts     (from the repo root; no build needed)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSwitchyardApp } from '@switchyard/core';
import type { InferenceRequest, InferenceResult } from '@switchyard/core';
import { startLocalLlmServer, summarize } from './local-llm-server.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A 28x28 "1" (a vertical bar), already scaled to 0..1 as the model's Normalize step (std 255) would: a raw
 * `tensors` request goes straight to the engine, so the answer is the graph's raw logits, not a label.
 */
function digitOne(): Float32Array {
  const pixels = new Float32Array(28 * 28);
  for (let y = 4; y < 24; y++) for (let x = 13; x < 16; x++) pixels[y * 28 + x] = 1;
  return pixels;
}

export async function runComposition(log: (line: string) => void = console.log): Promise<Record<string, InferenceResult>> {
  const llm = await startLocalLlmServer();
  const app = await createSwitchyardApp({
    configPath: join(here, 'switchyard.config.yaml'),
    env: { ...process.env, LOCAL_LLM_URL: llm.url },
    logger: { debug() {}, info() {}, warn: (o, m) => log(`warn ${m ?? ''} ${JSON.stringify(o)}`), error: (o, m) => log(`error ${m ?? ''} ${JSON.stringify(o)}`) },
  });
  const results: Record<string, InferenceResult> = {};
  try {
    log(`plugins: ${app.plugins.map((p) => p.name).join(', ')}`);
    log(`engines: ${app.engines.map((e) => e.id).join(', ')}`);
    const letter = 'Please refund order 1182. Reach me at ana@example.com or +34 612 345 678.';
    const requests: Record<string, InferenceRequest> = {
      digits: { model: 'digits', workload: 'inference', input: { kind: 'tensors', tensors: { input: { type: 'float32', dims: [1, 1, 28, 28], data: digitOne() } } } },
      summarize: { model: 'summarize', workload: 'completion', input: { kind: 'text', system: 'Summarize.', prompt: 'Switchyard routes each request to the right engine. It runs ONNX locally and LLMs remotely.' } },
      redact: { model: 'redact', workload: 'completion', input: { kind: 'text', prompt: letter } },
    };
    for (const [name, request] of Object.entries(requests)) {
      const result = await app.orchestrator.run(request);
      results[name] = result;
      log(`${name}: routed to ${result.decision.engine}:${result.decision.model} (${result.decision.source}) -> ${describe(result)}`);
    }
    check(results.summarize!.output, { kind: 'text', text: summarize('Switchyard routes each request to the right engine. It runs ONNX locally and LLMs remotely.') });
    check(results.redact!.output, { kind: 'text', text: 'Please refund order 1182. Reach me at [EMAIL] or [PHONE].' });
    if (results.digits!.output.kind !== 'tensors' && results.digits!.output.kind !== 'json') throw new Error(`digits: unexpected output kind ${results.digits!.output.kind}`);
    return results;
  } finally {
    await app.shutdown();
    await llm.close();
  }
}

function describe(result: InferenceResult): string {
  const out = result.output;
  if (out.kind === 'text') return JSON.stringify(out.text) + (result.usage.costUsd !== undefined ? ` cost $${result.usage.costUsd.toExponential(2)}` : '');
  if (out.kind === 'tensors') {
    return Object.entries(out.tensors)
      .map(([name, t]) => {
        const values = Array.from(t.data as Float32Array);
        const best = values.indexOf(Math.max(...values));
        return `${name}[${t.dims.join('x')}] argmax=${best}`;
      })
      .join(', ');
  }
  return JSON.stringify(out).slice(0, 200);
}

function check(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`unexpected output: ${JSON.stringify(actual)} (expected ${JSON.stringify(expected)})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runComposition().then(
    () => console.log('ok: one routed request served through each plugin'),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
