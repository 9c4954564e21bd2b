import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readWav, writeWav, type Tensor } from '@switchyard/core';
import { MODEL_IDS } from '../src/index.js';
import { loadTestModel, type LoadedTestModel } from './model-harness.js';

/** Seeded PRNG so every run uses the same inputs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digitImage(seed: number): Tensor {
  const rand = random(seed);
  const row = Math.floor(rand() * 28);
  const data = new Float32Array(784).map((_, i) => (Math.abs(Math.floor(i / 28) - row) < 3 ? 200 + rand() * 55 : rand() * 30));
  return { type: 'float32', dims: [784], data };
}

/** 16 kHz mono PCM16 WAV: silence, a voiced-like harmonic burst with vibrato and noise, silence. */
function speechLikeWav(seconds = 3): Uint8Array {
  const rate = 16000;
  const n = rate * seconds;
  const rand = random(3);
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    const t = i / rate;
    const on = t > 0.8 && t < 2.2 ? 1 : 0;
    const f0 = 140 + 20 * Math.sin(2 * Math.PI * 3 * t);
    let v = 0;
    for (let h = 1; h <= 12; h += 1) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    const envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    samples[i] = on * 0.4 * v * envelope + (rand() - 0.5) * 0.01;
  }
  return writeWav(samples, rate);
}

async function textImage(): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160"><rect width="100%" height="100%" fill="white"/>
    <text x="20" y="70" font-family="sans-serif" font-size="44" fill="black">HELLO 2026</text>
    <text x="20" y="130" font-family="sans-serif" font-size="36" fill="black">switchyard</text></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

const INPUTS: Record<string, () => Promise<unknown[]>> = {
  // float32 tensors take the folded Reshape + Normalize loop of the generated pipeline; a number array and a uint8
  // tensor take the step kernels.
  'xybrid-digits': async () => [
    digitImage(1),
    digitImage(2),
    { type: 'float32', dims: [28, 28], data: new Float32Array(784) },
    Array.from({ length: 784 }, (_, i) => (i * 37) % 256),
    { type: 'uint8', dims: [784], data: Uint8Array.from({ length: 784 }, (_, i) => (i * 11) % 256) },
  ],
  'xybrid-minilm': async () => ['hello world', 'The small model runs fast on local inference.', 'cats and dogs!'],
  // A mono PCM16 WAV takes the generated pipeline's fused decode + stream path (every length: a partial last window,
  // less than one window); other encodings, channel counts, unaligned bytes and decoded samples take the step.
  'silero-vad': async () => {
    const wav = speechLikeWav();
    const samples = readWav(wav).samples;
    const odd = new Uint8Array(wav.length + 1);
    odd.set(wav, 1);
    const stereo = new Float32Array(samples.length * 2).map((_, i) => samples[i >> 1]! * (i % 2 ? 0.5 : 1));
    return [
      wav,
      wav.subarray(0, 44 + 2 * 20_000 + 2 * 77),
      writeWav(samples.subarray(0, 300), 16000),
      odd.subarray(1),
      writeWav(samples, 16000, { encoding: 'float32' }),
      writeWav(samples, 16000, { encoding: 'pcm24' }),
      writeWav(stereo, 16000, { channels: 2 }),
      { samples, sampleRate: 16000 },
    ];
  },
  'paddleocr-v4': async () => [await textImage()],
};

async function outcome(run: () => Promise<unknown>): Promise<{ value: unknown } | { error: { code: unknown; message: string } }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error: { code: (error as { code?: unknown }).code, message: (error as Error).message } };
  }
}

describe('generated and interpreted pipelines give identical outputs', () => {
  it('covers every model in models/', () => {
    expect(Object.keys(INPUTS).sort()).toEqual([...MODEL_IDS].sort());
  });

  for (const id of MODEL_IDS) {
    describe(id, () => {
      let model: LoadedTestModel;
      beforeAll(async () => {
        model = await loadTestModel(id);
      });
      afterAll(() => model?.close());

      it('runs end to end with the same whole output on the same inputs', async () => {
        for (const input of await INPUTS[id]!()) {
          const generated = await outcome(() => model.generated.run(input, model.context));
          const interpreted = await outcome(() => model.interpreted.run(input, model.context));
          expect(generated).toHaveProperty('value');
          expect(generated).toEqual(interpreted);
        }
      });

      if (id === 'silero-vad') {
        it('refuses the same inputs with the same errors', async () => {
          const wav = (await INPUTS[id]!())[0] as Uint8Array;
          const resampled = writeWav(readWav(wav).samples, 8000);
          for (const input of [resampled, wav.subarray(0, 44), new Uint8Array([1, 2, 3]), 'not audio']) {
            const generated = await outcome(() => model.generated.run(input, model.context));
            expect(generated).toHaveProperty('error');
            expect(generated).toEqual(await outcome(() => model.interpreted.run(input, model.context)));
          }
        });

        it('streams the segments of a whole run through openStream (generated and interpreted alike)', async () => {
          const wav = (await INPUTS[id]!())[0] as Uint8Array;
          const whole = (await model.generated.run(wav, model.context)) as { segments: unknown[] };
          const samples = readWav(wav).samples;
          const collect = async (pipeline: typeof model.generated): Promise<unknown[]> => {
            const session = pipeline.openStream!(model.context);
            const out: unknown[] = [];
            for (let i = 0; i < samples.length; i += 1000) out.push(...(await session.push(samples.subarray(i, i + 1000))));
            out.push(...(await session.close()));
            return out;
          };
          const generated = await collect(model.generated);
          expect(whole.segments.length).toBeGreaterThan(0);
          expect(generated).toEqual(whole.segments);
          expect(await collect(model.interpreted)).toEqual(generated);
        });
      }
    });
  }
});
