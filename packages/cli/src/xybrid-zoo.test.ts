import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '@switchyard/codegen';
import {
  createImageDecodeStep,
  createPipelineFrame,
  loadModelMetadataFile,
  runModelFromMetadataFile,
  type ModelPipeline,
  type Tensor,
  type TensorRunner,
} from '@switchyard/core';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
// @ts-expect-error plain ESM module shared with scripts/generate-xybrid-zoo.mjs (no types)
import * as zoo from '../../../test-fixtures/xybrid-zoo/zoo-reference.mjs';

/**
 * The xybrid model zoo (mnist-12, mobilenetv2-12, resnet50-v2-7, all-MiniLM-L6-v2, DistilBERT), as small graphs with
 * the real models' I/O names, dtypes and ranks (scripts/generate-xybrid-zoo.mjs) and metadata in xybrid's format,
 * runs unchanged through the interpreter and the generated pipeline, matching a reference computed with plain
 * arithmetic (test-fixtures/xybrid-zoo/zoo-reference.mjs) within 1e-4.
 */
const ZOO = fileURLToPath(new URL('../../../test-fixtures/xybrid-zoo/', import.meta.url));
const GENERATED = fileURLToPath(new URL('../.zoo-generated/', import.meta.url));

interface Ranked { readonly index: number; readonly score: number }
type Reference = { kind: 'probs'; values: number[] } | { kind: 'topk'; values: Ranked[] } | { kind: 'embedding'; values: number[] };

let scratch: string;
const cases: { dir: string; input: () => string; reference: () => Reference }[] = [
  { dir: 'mnist', input: () => `@${join(ZOO, 'mnist/digit.json')}`, reference: () => ({ kind: 'probs', values: zoo.mnistReference() }) },
  { dir: 'mobilenet', input: () => join(ZOO, 'mobilenet/photo.png'), reference: () => ({ kind: 'topk', values: zoo.mobilenetReference() }) },
  { dir: 'resnet50', input: () => `@${join(scratch, 'resnet-input.json')}`, reference: () => ({ kind: 'topk', values: zoo.resnetReference() }) },
  { dir: 'all-minilm', input: () => `@${join(ZOO, 'all-minilm/sentence.txt')}`, reference: () => ({ kind: 'embedding', values: zoo.textReference('minilm') }) },
  { dir: 'distilbert', input: () => `@${join(ZOO, 'distilbert/sentence.txt')}`, reference: () => ({ kind: 'embedding', values: zoo.textReference('distilbert') }) },
];

/** Compares an output with the reference within 1e-4. */
export function expectReference(output: unknown, reference: Reference): void {
  if (reference.kind === 'topk') {
    const [ranked] = output as Ranked[][]; // one ranked list per row of the [1, 1000] scores
    expect(ranked!.map((r) => r.index)).toEqual(reference.values.map((r) => r.index));
    ranked!.forEach((r, i) => expect(Math.abs(r.score - reference.values[i]!.score)).toBeLessThan(1e-4));
    return;
  }
  const tensor = output as Tensor;
  const values = Array.from(tensor.data as Float32Array);
  expect(values.length).toBe(reference.values.length);
  const worst = Math.max(...values.map((v, i) => Math.abs(v - reference.values[i]!)));
  expect(worst).toBeLessThan(1e-4);
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'xybrid-zoo-'));
  writeFileSync(join(scratch, 'resnet-input.json'), JSON.stringify(Array.from({ length: 3 * 256 * 256 }, (_, i) => zoo.zooPixel.resnet(i))));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(GENERATED, { recursive: true, force: true });
});

describe('xybrid model zoo, interpreted (TemplateExecutor)', () => {
  it.each(cases.map((c) => [c.dir, c] as const))('%s matches the reference within 1e-4', async (_dir, c) => {
    const { output, pipeline } = await runModelFromMetadataFile({ path: join(ZOO, c.dir, 'model_metadata.json'), input: { file: c.input().replace(/^@/, '') }, engine: createOnnxEngine() });
    expect(pipeline).toBe('interpreted');
    expectReference(output, c.reference());
  });
});

describe('xybrid model zoo, generated pipelines (codegen)', () => {
  it.each(cases.map((c) => [c.dir, c] as const))('%s matches the reference within 1e-4', async (_dir, c) => {
    const metadata = JSON.parse(readFileSync(join(ZOO, c.dir, 'model_metadata.json'), 'utf8')) as { model_id: string };
    const { files } = await generate({ models: [{ file: `zoo/${c.dir}/model_metadata.json`, ref: { dir: `zoo/${c.dir}` }, root: join(ZOO, c.dir), metadata }], outDir: c.dir });
    const pipelineFile = files.find((f) => f.path === `${c.dir}/pipelines/${metadata.model_id}.ts`)!;
    mkdirSync(join(GENERATED, c.dir, 'pipelines'), { recursive: true });
    writeFileSync(join(GENERATED, pipelineFile.path), pipelineFile.contents);
    const module = (await import(pathToFileURL(join(GENERATED, pipelineFile.path)).href)) as Record<string, ModelPipeline<unknown, unknown>>;
    const pipeline = Object.values(module).find((v) => typeof v === 'object' && v !== null && 'run' in v)!;

    const loaded = await loadModelMetadataFile(join(ZOO, c.dir, 'model_metadata.json'));
    const engine = createOnnxEngine();
    const signal = new AbortController().signal;
    await engine.doLoad({ id: metadata.model_id, files: loaded.files, metadata: loaded.json }, signal);
    const runner: TensorRunner = {
      async run(stage, tensors, runSignal) {
        const result = await engine.doRun({ modelId: metadata.model_id, workload: 'inference', input: { kind: 'tensors', tensors, ...(stage ? { stage } : {}) } }, runSignal);
        return (result.output as { tensors: Record<string, Tensor> }).tensors;
      },
    };
    try {
      const output = await pipeline.run(await inputValue(c.input()), { runner, signal, files: loaded.files });
      expectReference(output, c.reference());
    } finally {
      await engine.close();
    }
  });
});

describe('xybrid model zoo through an app (orchestrator.run, as the server and workflows call it)', () => {
  // Image bytes were decoded for the first step only by `switchyard run`: through the app a PNG to MobileNet's
  // CenterCrop failed with "expects a decoded image".
  it('mobilenet takes the photo as image bytes and matches the reference within 1e-4', { timeout: 120_000 }, async () => {
    const { createSwitchyardApp } = await import('@switchyard/core');
    const { createOnnxPlugin } = await import('@switchyard/plugin-onnx');
    const app = await createSwitchyardApp({ config: { models: { dirs: [join(ZOO, 'mobilenet')] } }, plugins: [createOnnxPlugin()], logger: { debug() {}, info() {}, warn() {}, error() {} } });
    try {
      const result = await app.orchestrator.run({ model: 'mobilenetv2-imagenet', workload: 'inference', input: { kind: 'image', data: new Uint8Array(readFileSync(join(ZOO, 'mobilenet/photo.png'))) } });
      expect(result.pipeline).toBe('interpreted');
      expectReference((result.output as { value: unknown }).value, zooCase('mobilenet').reference());
    } finally {
      await app.shutdown();
    }
  });
});

const zooCase = (dir: string) => cases.find((c) => c.dir === dir)!;

/** What `switchyard run <folder> <input> --json` prints, back to the shapes expectReference compares. */
function fromCliJson(out: string, reference: Reference): unknown {
  const value = JSON.parse(out) as unknown;
  if (reference.kind === 'topk') return value;
  const tensor = value as { data: number[] | Record<string, number> };
  return { data: Float32Array.from(Array.isArray(tensor.data) ? tensor.data : Object.values(tensor.data)) };
}

describe('xybrid model zoo through `switchyard run <folder> <input> --json`', () => {
  it.each(cases.map((c) => [c.dir, c] as const))('%s matches the reference within 1e-4', { timeout: 120_000 }, async (_dir, c) => {
    const { runCli } = await import('../test/run-cli.js');
    const cli = await runCli(['run', join(ZOO, c.dir), c.input().replace(/^@/, ''), '--json']);
    expect(cli.err).toBe('');
    expect(cli.exitCode).toBe(0);
    expectReference(fromCliJson(cli.out, c.reference()), c.reference());
  });

  it('warns about an unknown field (file, pointer) and refuses it with --strict', { timeout: 120_000 }, async () => {
    const { runCli } = await import('../test/run-cli.js');
    const { cpSync } = await import('node:fs');
    const copy = join(scratch, 'mnist-extra');
    cpSync(join(ZOO, 'mnist'), copy, { recursive: true });
    const metadata = JSON.parse(readFileSync(join(copy, 'model_metadata.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(copy, 'model_metadata.json'), JSON.stringify({ ...metadata, licence: 'MIT' }));
    const lax = await runCli(['run', copy, join(ZOO, 'mnist/digit.json'), '--json']);
    expect(lax.exitCode).toBe(0);
    expect(lax.err).toMatch(/^warning: .*model_metadata\.json: \/licence is not a known field here; ignored/);
    const strict = await runCli(['run', copy, join(ZOO, 'mnist/digit.json'), '--json', '--strict']);
    expect(strict.exitCode).toBe(1);
    expect(strict.err).toMatch(/METADATA_INVALID: .*\/licence is not a known field here/);
  });

  it('runs a .xyb bundle: `switchyard run model.xyb <input> --json`', { timeout: 120_000 }, async () => {
    const { runCli } = await import('../test/run-cli.js');
    const mnist = cases[0]!;
    const bundle = join(scratch, 'mnist-cli.xyb');
    expect((await runCli(['bundle', join(ZOO, 'mnist'), '--out', bundle])).exitCode).toBe(0);
    const cli = await runCli(['run', bundle, mnist.input().replace(/^@/, ''), '--json']);
    expect(cli.err).toBe('');
    expectReference(fromCliJson(cli.out, mnist.reference()), mnist.reference());
  });
});

describe('xybrid model zoo as .xyb bundles', () => {
  it('`switchyard bundle <folder>` writes a bundle that runs unchanged (mnist, distilbert)', async () => {
    const { runCli } = await import('../test/run-cli.js');
    for (const c of cases.filter((x) => x.dir === 'mnist' || x.dir === 'distilbert')) {
      const out = join(scratch, `${c.dir}.xyb`);
      const cli = await runCli(['bundle', join(ZOO, c.dir), '--out', out, '--target', 'x86_64-linux']);
      expect(cli.err).toBe('');
      expect(cli.out).toMatch(new RegExp(`${c.dir}\\.xyb: \\S+ \\S+ \\(\\d files, hash [0-9a-f]{64}\\)`));
      const { output } = await runModelFromMetadataFile({ path: out, input: { file: c.input().replace(/^@/, '') }, engine: createOnnxEngine(), cacheDir: scratch });
      expectReference(output, c.reference());
    }
  });

  it('`switchyard bundle` on a folder without model_metadata.json fails with a clear error', async () => {
    const { runCli } = await import('../test/run-cli.js');
    const cli = await runCli(['bundle', scratch, '--out', join(scratch, 'none.xyb')]);
    expect(cli.exitCode).toBe(1);
    expect(cli.err).toBe(`METADATA_INVALID: '${scratch}' is not a model folder: ${join(scratch, 'model_metadata.json')} does not exist\n`);
  });
});

/** The same input a CLI argument gives the interpreter, built by hand for the generated pipeline. */
async function inputValue(argument: string): Promise<unknown> {
  if (argument.endsWith('.png')) {
    const decode = createImageDecodeStep({ channels: 3 }, { modelId: 'zoo', step: 'input', files: {} });
    return decode(new Uint8Array(readFileSync(argument)), createPipelineFrame(new AbortController().signal));
  }
  const text = readFileSync(argument.slice(1), 'utf8');
  if (argument.endsWith('.txt')) return text;
  const values = JSON.parse(text) as number[];
  return { type: 'float32', dims: [values.length], data: Float32Array.from(values) };
}
