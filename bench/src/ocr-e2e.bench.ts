/**
 * PaddleOCR v4 end to end: the paddleocr-v4 pack on the one model path through the Executor (ONNX engine, provisioned
 * and sha256-verified files) — its generated pipeline (`switchyard`) and the interpreter (`switchyard-interpreted`) — vs `@gutenye/ocr-node` (same PP-OCRv4 det/rec graphs, OpenCV.js post-processing) on the
 * same rendered images, read from disk by both. Reports speed and character accuracy of each vs the truth and
 * vs each other.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ocr from '@gutenye/ocr-node';
import sharp from 'sharp';
import { CatalogFileProvisioner, createInterpretedPipeline, createModelCatalog, editDistance, Executor } from '@switchyard/core';
import type { ModelPipeline, OcrResult } from '@switchyard/core';
import { getModel } from '@switchyard/models';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import { defineBenchmark } from '../harness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_DIR = join(REPO, 'packages', 'model-paddleocr-v4');

interface Page {
  readonly file: string;
  readonly truth: readonly string[];
  readonly svg: string;
}

function svgPage(width: number, height: number, lines: { text: string; x: number; y: number; font: string; size: number; rotate?: number }[]): string {
  const body = lines
    .map((l) => `<text x="${l.x}" y="${l.y}" font-family="${l.font}" font-size="${l.size}" fill="#111"${l.rotate ? ` transform="rotate(${l.rotate} ${l.x} ${l.y})"` : ''}>${l.text}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${body}</svg>`;
}

const PAGES: Omit<Page, 'file'>[] = [
  {
    truth: ['Hello Switchyard OCR 2026', 'The quick brown fox jumps over'],
    svg: svgPage(560, 170, [
      { text: 'Hello Switchyard OCR 2026', x: 20, y: 55, font: 'DejaVu Sans', size: 32 },
      { text: 'The quick brown fox jumps over', x: 20, y: 130, font: 'DejaVu Serif', size: 24 },
    ]),
  },
  {
    truth: ['This line is rotated slightly'],
    svg: svgPage(480, 220, [{ text: 'This line is rotated slightly', x: 30, y: 150, font: 'DejaVu Sans', size: 26, rotate: -12 }]),
  },
  {
    truth: ['Switchyard runs models locally', 'and in the cloud with one API.', 'Detection finds every text box,', 'recognition reads each line.', 'Total: 1234 items at 5.60 each'],
    svg: svgPage(560, 230, [
      'Switchyard runs models locally',
      'and in the cloud with one API.',
      'Detection finds every text box,',
      'recognition reads each line.',
      'Total: 1234 items at 5.60 each',
    ].map((text, i) => ({ text, x: 24, y: 40 + i * 38, font: 'DejaVu Serif', size: 20 }))),
  },
  {
    truth: ['Invoice number 48213 paid', 'Due date 2026-12-01'],
    svg: svgPage(520, 150, [
      { text: 'Invoice number 48213 paid', x: 20, y: 60, font: 'DejaVu Sans Mono', size: 26 },
      { text: 'Due date 2026-12-01', x: 20, y: 115, font: 'DejaVu Sans Mono', size: 26 },
    ]),
  },
];

const accuracy = (got: string, truth: string) => Math.max(0, 1 - editDistance(got, truth) / Math.max(1, truth.length));
const joinLines = (lines: readonly string[]) => lines.join('\n');

export default defineBenchmark({
  name: 'ocr-e2e',
  warmup: 3,
  iterations: 20,
  async setup() {
    const dir = mkdtempSync(join(tmpdir(), 'ocr-bench-'));
    const pages: Page[] = [];
    for (const [i, page] of PAGES.entries()) {
      const file = join(dir, `page-${i}.png`);
      writeFileSync(file, await sharp(Buffer.from(page.svg)).png().toBuffer());
      pages.push({ ...page, file });
    }
    const metadata = JSON.parse(readFileSync(join(MODEL_DIR, 'model_metadata.json'), 'utf8'));
    const engine = createOnnxEngine();
    const generated = (await getModel('paddleocr-v4').loadPipeline()) as ModelPipeline;
    const provisioner = new CatalogFileProvisioner(() => ({ dir: MODEL_DIR, metadata }), { appDir: REPO });
    const executorFor = (pipeline: ModelPipeline) =>
      new Executor({ engines: [engine], registry: createModelCatalog([{ id: 'paddleocr-v4', metadata, engine: engine.id, pipeline }]), provisioner });
    const executor = executorFor(generated);
    const interpreted = executorFor(createInterpretedPipeline(metadata));
    const gutenye = await Ocr.create();
    const last: { ours: string[][]; gutenye: string[][] } = { ours: [], gutenye: [] };
    return { dir, pages, engine, executor, interpreted, gutenye, last, signal: new AbortController().signal };
  },
  cases: {
    switchyard: async (s) => {
      const out: string[][] = [];
      for (const page of s.pages) {
        const data = new Uint8Array(await readFile(page.file));
        const result = await s.executor.execute(
          { engine: s.engine.id, model: 'paddleocr-v4', target: 'local' },
          { modelId: 'paddleocr-v4', workload: 'inference', input: { kind: 'image', data } },
          s.signal,
        );
        out.push(((result.output as { value: OcrResult }).value.lines).map((l) => l.text));
      }
      s.last.ours = out;
    },
    'switchyard-interpreted': async (s) => {
      for (const page of s.pages) {
        const data = new Uint8Array(await readFile(page.file));
        await s.interpreted.execute(
          { engine: s.engine.id, model: 'paddleocr-v4', target: 'local' },
          { modelId: 'paddleocr-v4', workload: 'inference', input: { kind: 'image', data } },
          s.signal,
        );
      }
    },
    'gutenye-ocr-node': async (s) => {
      const out: string[][] = [];
      for (const page of s.pages) out.push((await s.gutenye.detect(page.file)).map((l: { text: string }) => l.text));
      s.last.gutenye = out;
    },
  },
  baseline: 'gutenye-ocr-node',
  report: (s) => {
    const per = s.pages.map((page, i) => {
      const truth = joinLines(page.truth);
      const ours = joinLines(s.last.ours[i] ?? []);
      const theirs = joinLines(s.last.gutenye[i] ?? []);
      return { truth, ours, gutenye: theirs, oursVsTruth: accuracy(ours, truth), gutenyeVsTruth: accuracy(theirs, truth), oursVsGutenye: accuracy(ours, theirs) };
    });
    const all = (pick: (p: (typeof per)[number]) => string) => per.map(pick).join('\n');
    return {
      images: per.length,
      characterAccuracy: {
        switchyardVsTruth: accuracy(all((p) => p.ours), all((p) => p.truth)),
        gutenyeVsTruth: accuracy(all((p) => p.gutenye), all((p) => p.truth)),
        switchyardVsGutenye: accuracy(all((p) => p.ours), all((p) => p.gutenye)),
      },
      pages: per,
    };
  },
  teardown: async (s) => {
    await s.engine.close();
    rmSync(s.dir, { recursive: true, force: true });
  },
});
