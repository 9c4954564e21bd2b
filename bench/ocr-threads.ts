/**
 * How the paddleocr-v4 pack's `config.onnx` thread defaults were chosen: `node --import tsx bench/ocr-threads.ts` (under
 * `flock /work/bench.lock` on a shared machine) runs the pack's generated pipeline on the ocr-e2e pages with several
 * per-stage ONNX thread settings (`default` = no setting: ORT's own pool) and @gutenye/ocr-node, interleaved in one
 * process, and prints wall/CPU medians and paired ratios against the peer (IT rounds, default 8).
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { CatalogFileProvisioner, createModelCatalog, Executor } from '@switchyard/core';
import type { ModelPipeline } from '@switchyard/core';
import { getModel } from '@switchyard/models';
import { createOnnxEngine } from '@switchyard/plugin-onnx';
import Ocr from '@gutenye/ocr-node';
const REPO = fileURLToPath(new URL('../', import.meta.url));
const MODEL_DIR = join(REPO, 'packages', 'model-paddleocr-v4');
const defs = (await import('./src/ocr-e2e.bench.ts')).default as any;
const state = await defs.setup();
const pages: Uint8Array[] = state.pages.map((p: any) => new Uint8Array(readFileSync(p.file)));
const base = JSON.parse(readFileSync(join(MODEL_DIR, 'model_metadata.json'), 'utf8'));
const generated = (await getModel('paddleocr-v4').loadPipeline()) as ModelPipeline;
type V = { det?: object; rec?: object };
const variants: Record<string, V> = {
  default: {},
  intra1: { det: { intraOpNumThreads: 1 }, rec: { intraOpNumThreads: 1 } },
  intra2: { det: { intraOpNumThreads: 2 }, rec: { intraOpNumThreads: 2 } },
  det2rec1: { det: { intraOpNumThreads: 2 }, rec: { intraOpNumThreads: 1 } },
  det1rec2: { det: { intraOpNumThreads: 1 }, rec: { intraOpNumThreads: 2 } },
};
const runners: Record<string, () => Promise<void>> = {};
for (const [name, v] of Object.entries(variants)) {
  const metadata = structuredClone(base);
  for (const st of metadata.execution_template.stages) {
    const { onnx: _pack, ...rest } = st.config ?? {};
    const o = (v as any)[st.name];
    st.config = o ? { ...rest, onnx: o } : rest;
  }
  const engine = createOnnxEngine({ engineId: 'onnx' });
  const provisioner = new CatalogFileProvisioner(() => ({ dir: MODEL_DIR, metadata }), { appDir: REPO });
  const ex = new Executor({ engines: [engine], registry: createModelCatalog([{ id: 'paddleocr-v4', metadata, engine: engine.id, pipeline: generated }]), provisioner });
  const sig = new AbortController().signal;
  runners[name] = async () => { for (const data of pages) await ex.execute({ engine: 'onnx', model: 'paddleocr-v4', target: 'local' }, { modelId: 'paddleocr-v4', workload: 'inference', input: { kind: 'image', data } }, sig); };
}
runners['gutenye'] = async () => { for (const p of state.pages) await state.gutenye.detect(p.file); };
const names = Object.keys(runners);
for (const n of names) for (let i = 0; i < 2; i++) await runners[n]!();
const wall: Record<string, number[]> = {}, cpu: Record<string, number[]> = {};
for (const n of names) { wall[n] = []; cpu[n] = []; }
for (let it = 0; it < Number(process.env.IT ?? 8); it++) for (const n of [...names].sort(() => Math.random() - 0.5)) {
  const c0 = process.cpuUsage(); const t0 = performance.now(); await runners[n]!(); const t = performance.now() - t0; const c = process.cpuUsage(c0);
  wall[n]!.push(t); cpu[n]!.push((c.user + c.system) / 1000);
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const n of names) console.log(n.padEnd(10), 'wall', med(wall[n]!).toFixed(1), 'ms cpu', med(cpu[n]!).toFixed(1), 'ms  paired wall vs gutenye', med(wall[n]!.map((v, i) => v / wall['gutenye']![i]!)).toFixed(3), 'cpu', med(cpu[n]!.map((v, i) => v / cpu['gutenye']![i]!)).toFixed(3));
await defs.teardown?.(state);
