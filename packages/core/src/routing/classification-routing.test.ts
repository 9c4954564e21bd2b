import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SAFE_DEFAULT_CLASSIFICATION, wantsLargeModel } from './classification.js';
import { LlmClassifier, parseClassifierAnswer } from './llm-classifier.js';
import { ModelClassifier } from './model-classifier.js';
import { RuleBasedClassifier } from './rule-based-classifier.js';
import { calibrateThreshold } from './threshold-calibration.js';
import { LruCache } from './lru-cache.js';

interface Labelled {
  prompt: string;
  category: string;
  complexity: string;
  expected: 'small' | 'large';
}
const labelled: Labelled[] = JSON.parse(readFileSync(new URL('./__fixtures__/labelled-prompts.json', import.meta.url), 'utf8'));

describe('rule-based classifier on the labelled set', () => {
  const classifier = new RuleBasedClassifier();
  const results = labelled.map((row) => ({ row, c: classifier.classify(row.prompt) }));

  it('has 60+ labelled prompts covering every category', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(60);
    expect(new Set(labelled.map((r) => r.category)).size).toBe(6);
  });

  it('routes small vs large correctly for at least 85% of prompts', () => {
    const wrong = results.filter(({ row, c }) => (wantsLargeModel(c) ? 'large' : 'small') !== row.expected);
    const accuracy = 1 - wrong.length / results.length;
    console.info(`routing accuracy ${(accuracy * 100).toFixed(1)}%; misrouted: ${wrong.map((w) => JSON.stringify(w.row.prompt.slice(0, 40))).join(', ')}`);
    expect(accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('gets the category right for at least 80% of prompts', () => {
    const right = results.filter(({ row, c }) => c.category === row.category).length;
    expect(right / results.length).toBeGreaterThanOrEqual(0.8);
  });

  it('never sends a simple prompt to the large model', () => {
    const simpleToLarge = results.filter(({ row, c }) => row.complexity === 'simple' && wantsLargeModel(c));
    expect(simpleToLarge.map((r) => r.row.prompt)).toEqual([]);
  });

  it('calibrates a threshold that sends the requested share to the large model', () => {
    const scores = results.map((r) => r.c.score);
    const { threshold, achievedShare, sampleSize } = calibrateThreshold(scores, 0.2);
    expect(sampleSize).toBe(labelled.length);
    expect(Math.abs(achievedShare - 0.2)).toBeLessThanOrEqual(0.05);
    const large = results.filter((r) => wantsLargeModel(r.c, threshold)).length / results.length;
    expect(large).toBe(achievedShare);
    // The prompts above the threshold are mostly the ones labelled large.
    const chosen = results.filter((r) => wantsLargeModel(r.c, threshold));
    expect(chosen.filter((r) => r.row.expected === 'large').length / chosen.length).toBeGreaterThanOrEqual(0.75);
  });
});

describe('calibrateThreshold', () => {
  it.each([
    [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 0.3, 0.75, 0.3],
    [[0.5, 0.5, 0.5, 0.5], 0.5, 0.5, 1],
    [[0.2, 0.4], 0, 0.400001, 0],
    [[0.2, 0.4], 1, 0.2, 1],
  ])('%j at share %d -> %d', (scores, share, threshold, achieved) => {
    expect(calibrateThreshold(scores, share)).toEqual({ threshold, achievedShare: achieved, sampleSize: scores.length });
  });

  it('rejects a share outside 0..1 and an empty sample', () => {
    expect(() => calibrateThreshold([0.1], 1.5)).toThrow(/--large-share must be between 0 and 1, found 1.5/);
    expect(() => calibrateThreshold([], 0.2)).toThrow(/at least one prompt/);
  });
});

describe('LLM-prompted classifier', () => {
  it.each([
    ['{"category":"code","complexity":"complex","confidence":0.9}', { category: 'code', complexity: 'complex', confidence: 0.9 }],
    ['Sure! Here you go:\n```json\n{"category": "Summary", "complexity": "simple", "confidence": 2}\n```', { category: 'summary', complexity: 'simple', confidence: 1 }],
    ['{"category":"code","complexity":"moderate","meta":{"a":1}} trailing', { category: 'code', complexity: 'moderate', confidence: 0.5 }],
  ])('parses %j', (answer, expected) => {
    expect(parseClassifierAnswer(answer)).toMatchObject(expected);
  });

  it.each(['no json here', '{"category": "poetry", "complexity": "simple"}', '{broken', '} {', '[1,2]', '{"category":"code"} {"x":1}'])(
    'falls back to the safe default on %j',
    (answer) => {
      expect(parseClassifierAnswer(answer)).toEqual(SAFE_DEFAULT_CLASSIFICATION);
    },
  );

  it('sends only the first 800 characters and survives a failing model', async () => {
    const sent: string[] = [];
    const ok = new LlmClassifier(async (prompt) => {
      sent.push(prompt);
      return '{"category":"reasoning","complexity":"complex","confidence":0.8}';
    });
    await ok.classify('x'.repeat(5000));
    expect(sent[0]!.endsWith('x'.repeat(800) )).toBe(true);
    expect(sent[0]!.includes('x'.repeat(801))).toBe(false);
    const failures: unknown[] = [];
    const failing = new LlmClassifier(async () => {
      throw new Error('model down');
    }, (error) => failures.push(error));
    expect(await failing.classify('hi')).toEqual(SAFE_DEFAULT_CLASSIFICATION);
    expect(failures).toHaveLength(1);
  });

  it('the safe default routes large (a failing classifier never downgrades quality)', () => {
    expect(wantsLargeModel(SAFE_DEFAULT_CLASSIFICATION)).toBe(true);
  });
});

describe('model classifier', () => {
  it('maps label scores to a classification', async () => {
    const classifier = new ModelClassifier(async () => ({ code: 0.7, summary: 0.3, large: 0.8 }));
    expect(await classifier.classify('x')).toEqual({ category: 'code', complexity: 'complex', confidence: 0.8, score: 0.8 });
  });

  it('reports a scorer failure to onFailure and falls back to the safe default', async () => {
    const failures: unknown[] = [];
    const classifier = new ModelClassifier(async () => {
      throw new Error('no such model');
    }, (error) => failures.push(error));
    expect(await classifier.classify('x')).toEqual(SAFE_DEFAULT_CLASSIFICATION);
    expect(failures).toHaveLength(1);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });
});
