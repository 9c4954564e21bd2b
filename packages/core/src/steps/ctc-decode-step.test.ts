import { describe, expect, it } from 'vitest';
import type { Tensor } from '@switchyard/spec';
import { useTextFixtures } from './text-step-fixtures.js';
import { createCTCDecodeStep, decodeCtcGreedy } from './ctc-decode-step.js';
import { createSeededRandom } from './seeded-random.js';
import { testFrame, testStepEnv } from './step-test-env.js';

const files = useTextFixtures();

describe('CTCDecode', () => {
  // classes: 0 blank, 1 'a', 2 'b', 3 'c' (keys.txt has no blank line: it is inserted at blank_index 0)
  const probs = (rows: number[][], batch = 1): Tensor => {
    const t = rows.length / batch;
    const data: number[] = [];
    for (const best of rows.flat()) { const r = [0.1, 0.1, 0.1, 0.1]; r[best] = 0.7; data.push(...r); }
    return { type: 'float32', dims: [batch, t, 4], data: Float32Array.from(data) };
  };

  it('collapses repeats, drops blanks and keeps a repeat split by a blank', async () => {
    const step = await createCTCDecodeStep({ vocab_file: 'keys.txt' }, testStepEnv('postprocessing/0 (CTCDecode)', files));
    const [line] = await step(probs([[1], [1], [0], [1], [2], [2], [0], [3]]), testFrame());
    expect(line!.text).toBe('aabc');
    expect(line!.confidence).toBeCloseTo(0.7, 5);
  });

  it('decodes a batch and softmaxes logits for the confidence', async () => {
    const step = await createCTCDecodeStep({ vocab_file: 'keys.txt' }, testStepEnv('p', files));
    const lines = await step(probs([[1], [2], [3], [3]], 2), testFrame());
    expect(lines.map((l) => l.text)).toEqual(['ab', 'c']);
    const logits: Tensor = { type: 'float32', dims: [2, 4], data: Float32Array.from([0, 5, 0, 0, 0, 0, 0, 5]) };
    const [line] = await step(logits, testFrame());
    expect(line!.text).toBe('ac');
    expect(line!.confidence).toBeCloseTo(Math.exp(5) / (Math.exp(5) + 3), 5);
  });

  it("wav2vec2 vocab.json: '|' is the word delimiter, <pad>/<unk> decode to nothing (HF Wav2Vec2CTCTokenizer, xybrid)", async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const vocab = join(mkdtempSync(join(tmpdir(), 'w2v-')), 'vocab.json');
    writeFileSync(vocab, JSON.stringify({ '<pad>': 0, '<unk>': 1, '|': 2, h: 3, i: 4 }));
    const step = await createCTCDecodeStep({ vocab_file: 'vocab.json' }, testStepEnv('p', { 'vocab.json': vocab }));
    // h i | | <unk> h i |  -> "hi hi"
    const best = [3, 4, 2, 0, 2, 1, 3, 0, 4, 2];
    const data = best.flatMap((b) => [0, 1, 2, 3, 4].map((c) => (c === b ? 0.9 : 0.025)));
    const [line] = await step({ type: 'float32', dims: [1, best.length, 5], data: Float32Array.from(data) }, testFrame());
    expect(line!.text).toBe('hi hi');
  });

  it('rejects a class count that does not fit the vocab', async () => {
    const step = await createCTCDecodeStep({ vocab_file: 'keys.txt' }, testStepEnv('postprocessing/0 (CTCDecode)', files));
    const bad: Tensor = { type: 'float32', dims: [1, 2, 9], data: new Float32Array(18) };
    expect(() => step(bad, testFrame())).toThrowError(/class count does not fit vocab_file 'keys.txt' \(expected 3 to 5 classes, found 9\)/);
  });
});

describe('decodeCtcGreedy', () => {
  const table = ['', 'a', 'b'];

  it('collapses repeats and drops the blank per batch item, with 0 confidence for an empty line', () => {
    // [2, 3, 3]: item 0 = a a b, item 1 = blank blank blank
    const scores = [0, 0.8, 0.2, 0, 0.6, 0.4, 0.1, 0.2, 0.7, 0.9, 0.1, 0, 0.9, 0.1, 0, 0.9, 0.1, 0];
    const [first, second] = decodeCtcGreedy(Float32Array.from(scores), [2, 3, 3], table, 0);
    expect(first!.text).toBe('ab');
    expect(first!.confidence).toBeCloseTo((0.8 + 0.7) / 2, 6);
    expect(second).toEqual({ text: '', confidence: 0 });
  });

  it('softmaxes logits for the confidence unless told the scores are probabilities', () => {
    const logits = Float32Array.from([0, 2, 0]);
    expect(decodeCtcGreedy(logits, [1, 1, 3], table, 0)[0]!.confidence).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 2), 6);
    expect(decodeCtcGreedy(logits, [1, 1, 3], table, 0, { scores: 'probabilities' })[0]!.confidence).toBe(2);
  });
});

/** decodeCtcGreedy as first written: the argmax loop checks the [0, 1] range in every mode. */
function referenceCtcGreedy(scores: Float32Array, [batch, steps, classes]: [number, number, number], table: readonly string[], blank: number, auto: boolean) {
  const lines: { text: string; confidence: number }[] = [];
  for (let b = 0; b < batch; b++) {
    let text = '';
    let confidence = 0;
    let emitted = 0;
    let previous = -1;
    for (let t = 0; t < steps; t++) {
      const base = (b * steps + t) * classes;
      let best = 0;
      let bestScore = scores[base]!;
      let isProbability = bestScore >= 0 && bestScore <= 1;
      for (let c = 1; c < classes; c++) {
        const v = scores[base + c]!;
        if (v < 0 || v > 1) isProbability = false;
        if (v > bestScore) { bestScore = v; best = c; }
      }
      if (best !== blank && best !== previous) {
        text += table[best]!;
        let p = bestScore;
        if (auto && !isProbability) {
          let sum = 0;
          for (let c = 0; c < classes; c++) sum += Math.exp(scores[base + c]! - bestScore);
          p = 1 / sum;
        }
        confidence += p;
        emitted++;
      }
      previous = best;
    }
    lines.push({ text, confidence: emitted ? confidence / emitted : 0 });
  }
  return lines;
}

describe('decodeCtcGreedy against the first formula', () => {
  it('decodes random scores (ties, out-of-range values) identically in both modes', () => {
    const random = createSeededRandom(19);
    const dims: [number, number, number] = [3, 40, 67];
    const table = Array.from({ length: dims[2] }, (_, c) => (c === 0 ? '' : String.fromCharCode(64 + (c % 50))));
    for (let round = 0; round < 20; round++) {
      // Coarse values make ties common; every fourth round strays outside [0, 1].
      const spread = round % 4 === 0 ? 3 : 1;
      const scores = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => Math.round(random() * 8) / 8 * spread - (spread > 1 ? 1 : 0));
      for (const mode of ['auto', 'probabilities'] as const) {
        expect(decodeCtcGreedy(scores, dims, table, 0, { scores: mode })).toEqual(referenceCtcGreedy(scores, dims, table, 0, mode === 'auto'));
      }
    }
  });
});
