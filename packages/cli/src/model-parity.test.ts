import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ModelProvisioner,
  createInterpretedPipeline,
  createSwitchyardApp,
  imageInputFor,
  readModelInputFile,
  toPipelineInput,
  type EngineInput,
  type ModelPipeline,
  type PipelineContext,
  type SwitchyardApp,
} from '@switchyard/core';
import { MODEL_IDS, getModel } from '@switchyard/models';
import { createOnnxEngine, createOnnxPlugin } from '@switchyard/plugin-onnx';
import { createServerForApp } from '@switchyard/server';
import { runCli } from '../test/run-cli.js';
import { registry } from '../test/repo-registry.js';

import { toJsonValue } from './commands/run-output.js';

/**
 * One model path: every model in the repository's registry gives the same WHOLE output (deep-equal JSON) through its
 * generated pipeline, the interpreter, orchestrator.run in an app with the generated registry and in one without, the
 * server (/v2/tasks) and `switchyard run --json` (with and without the registry). No model is exempt.
 */
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
// One folder of model folders named by id: the repo fixtures and the two model packs (linked, not copied).
const MODELS_DIR = mkdtempSync(join(tmpdir(), 'parity-models-'));
for (const [id, target] of [
  ['xybrid-digits', 'models/xybrid-digits'],
  ['xybrid-minilm', 'models/xybrid-minilm'],
  ['paddleocr-v4', 'packages/model-paddleocr-v4'],
  ['silero-vad', 'packages/model-silero-vad'],
] as const) {
  symlinkSync(join(REPO, target), join(MODELS_DIR, id), 'dir');
}
const logger = { debug() {}, info() {}, warn() {}, error() {} };

let work: string;
/** One input file per model (what a user would pass to `switchyard run`). */
const INPUT_FILES: Record<string, () => Promise<string>> = {
  'paddleocr-v4': async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160"><rect width="100%" height="100%" fill="white"/>' +
      '<text x="20" y="70" font-family="DejaVu Sans" font-size="44">HELLO 2026</text>' +
      '<text x="20" y="130" font-family="DejaVu Serif" font-size="36">switchyard</text></svg>';
    const file = join(work, 'page.png');
    await sharp(Buffer.from(svg)).png().toFile(file);
    return file;
  },
  'silero-vad': async () => join(MODELS_DIR, 'silero-vad', 'test', 'speech-with-pauses.wav'),
  'xybrid-digits': async () => {
    const file = join(work, 'digit.json');
    const rows = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (Math.abs(x - 14) < 3 && y > 4 && y < 24 ? 230 : 10)));
    writeFileSync(file, JSON.stringify(rows));
    return file;
  },
  'xybrid-minilm': async () => {
    const file = join(work, 'sentence.txt');
    writeFileSync(file, 'The small model runs fast on local inference.');
    return file;
  },
};

/** The same input as a /v2/tasks body. */
function taskBody(model: string, input: EngineInput, file: string): Record<string, unknown> {
  switch (input.kind) {
    case 'image':
      return { model_ref: model, workload: 'inference', inputs: { image_base64: Buffer.from(input.data).toString('base64') } };
    case 'audio':
      return { model_ref: model, workload: 'inference', inputs: { audio_wav_base64: readFileSync(file).toString('base64') } };
    case 'text':
      return { model_ref: model, workload: 'inference', prompt: input.prompt };
    case 'json':
      return { model_ref: model, workload: 'inference', inputs: { json: toJsonValue(input.value) } };
    default:
      throw new Error(`no task body for ${input.kind}`);
  }
}

async function viaServer(app: SwitchyardApp, body: Record<string, unknown>): Promise<unknown> {
  const server = await createServerForApp(app, { port: 0, host: '127.0.0.1' });
  try {
    const base = await server.listen();
    const response = await fetch(`${base}/v2/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const frames = text.split('\n\n').filter(Boolean).map((frame) => ({
      event: /^event: (.*)$/m.exec(frame)?.[1],
      data: JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null') as Record<string, unknown>,
    }));
    const delta = frames.find((f) => f.event === 'delta');
    expect(delta, `server frames: ${text.slice(0, 400)}`).toBeDefined();
    return (delta!.data as { value: unknown }).value;
  } finally {
    await server.close();
  }
}

/** The pipeline-level paths: a real ONNX engine and provisioned files, the generated and the interpreted pipeline. */
async function pipelineRuns(id: string, input: EngineInput): Promise<{ generated: unknown; interpreted: unknown }> {
  const entry = registry.get(id)!;
  const { files } = await new ModelProvisioner({ appDir: REPO }).resolve(entry.dir!, entry.metadata);
  const engine = createOnnxEngine();
  const signal = new AbortController().signal;
  await engine.doLoad({ id, files, metadata: entry.metadata }, signal);
  try {
    const context: PipelineContext = {
      signal,
      files,
      runner: {
        async run(stage, tensors, runSignal) {
          const result = await engine.doRun({ modelId: id, workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } }, runSignal);
          if (result.output.kind !== 'tensors') throw new Error('expected tensors');
          return result.output.tensors;
        },
      },
    };
    // What the executor hands a pipeline: image bytes as its first step takes them (decoded for xybrid-digits' Reshape).
    const value = input.kind === 'image' ? await imageInputFor(entry.metadata, id)(input.data, signal) : toPipelineInput(input);
    const generated = await ((await getModel(id as (typeof MODEL_IDS)[number]).loadPipeline()) as ModelPipeline).run(value, context);
    const interpreted = await createInterpretedPipeline(entry.metadata).run(value, context);
    return { generated, interpreted };
  } finally {
    await engine.close();
  }
}

/** More inputs, each through every path too: a 28x28 PNG that xybrid-digits takes decoded in greyscale. */
const MORE_INPUT_FILES: Record<string, readonly [string, () => Promise<string>]> = {
  'xybrid-digits (a 28x28 PNG)': [
    'xybrid-digits',
    async () => {
      const file = join(work, 'digit.png');
      const pixels = Buffer.from(Array.from({ length: 784 }, (_, i) => (Math.abs((i % 28) - 14) < 3 && i > 140 && i < 672 ? 230 : 10)));
      await sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(file);
      return file;
    },
  ],
};

const files: Record<string, string> = {};
let configFile: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'model-parity-'));
  for (const [id, make] of Object.entries(INPUT_FILES)) files[id] = await make();
  for (const [name, [, make]] of Object.entries(MORE_INPUT_FILES)) files[name] = await make();
  configFile = join(work, 'switchyard.config.yaml');
  writeFileSync(configFile, `models:\n  registry: ${JSON.stringify(fileURLToPath(new URL('../test/repo-registry.ts', import.meta.url)))}\n`);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(MODELS_DIR, { recursive: true, force: true });
});

describe('one model path: every model, every path, one output', () => {
  it('has an input for every model of the registry (no exemptions)', () => {
    expect(Object.keys(INPUT_FILES).sort()).toEqual([...MODEL_IDS].sort());
  });

  const cases = [...MODEL_IDS.map((id) => [id, id] as const), ...Object.entries(MORE_INPUT_FILES).map(([name, [id]]) => [name, id] as const)];
  for (const [name, id] of cases) {
    it(`${name}: generated = interpreted = orchestrator (with and without registry) = server = CLI --json`, async () => {
      const entry = registry.get(id)!;
      const file = files[name]!;
      const input = await readModelInputFile(file, entry.metadata, id);
      const { generated, interpreted } = await pipelineRuns(id, input);
      const expected = toJsonValue(generated);
      expect(toJsonValue(interpreted)).toEqual(expected);

      const withRegistry = await createSwitchyardApp({ config: {}, registry, plugins: [createOnnxPlugin()], logger });
      const fromGenerated = await withRegistry.orchestrator.run({ model: id, workload: 'inference', input });
      expect(fromGenerated.pipeline).toBe('generated');
      expect(fromGenerated.output.kind).toBe('json');
      expect(toJsonValue((fromGenerated.output as { value: unknown }).value)).toEqual(expected);
      expect(await viaServer(withRegistry, taskBody(id, input, file))).toEqual(expected);

      const plain = await createSwitchyardApp({ config: { models: { dirs: [MODELS_DIR] } }, plugins: [createOnnxPlugin()], logger });
      try {
        const fromInterpreted = await plain.orchestrator.run({ model: id, workload: 'inference', input });
        expect(fromInterpreted.pipeline).toBe('interpreted');
        expect(toJsonValue((fromInterpreted.output as { value: unknown }).value)).toEqual(expected);
      } finally {
        await plain.shutdown();
      }

      const cli = await runCli(['run', id, file, '--json', '--models-dir', MODELS_DIR]);
      expect(cli.err).toBe('');
      expect(JSON.parse(cli.out)).toEqual(expected);
      const cliGenerated = await runCli(['run', id, file, '--json', '--config', configFile]);
      expect(cliGenerated.err).toBe('');
      expect(JSON.parse(cliGenerated.out)).toEqual(expected);
    }, 120_000);
  }
});
