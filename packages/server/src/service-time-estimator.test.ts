import { describe, expect, it } from 'vitest';
import { ServiceTimeEstimator } from './service-time-estimator.js';

describe('ServiceTimeEstimator', () => {
  it('uses the prior until measured, then an EWMA of measurements', () => {
    const estimator = new ServiceTimeEstimator(500, 0.5);
    expect(estimator.estimate('onnx')).toBe(500);
    expect(estimator.measured('onnx')).toBe(false);
    estimator.record('onnx', 100);
    expect(estimator.estimate('onnx')).toBe(100);
    estimator.record('onnx', 300);
    expect(estimator.estimate('onnx')).toBe(200);
    expect(estimator.estimate('other')).toBe(500);
  });

  it('predicts start from waves of concurrency', () => {
    const estimator = new ServiceTimeEstimator(100);
    expect(estimator.predictStartMs('e', 0, 1, 2)).toBe(0);
    expect(estimator.predictStartMs('e', 0, 2, 2)).toBe(100);
    expect(estimator.predictStartMs('e', 1, 2, 2)).toBe(100);
    expect(estimator.predictStartMs('e', 2, 2, 2)).toBe(200);
    estimator.record('e', 40);
    expect(estimator.predictStartMs('e', 2, 2, 2)).toBe(80);
  });

  it('keeps an average per (engine, model); a new model uses its engine average; waves take the given service time', () => {
    const estimator = new ServiceTimeEstimator(500, 0.5);
    estimator.record('onnx', 1000, 'ocr');
    for (let i = 0; i < 6; i++) estimator.record('onnx', 10, 'embed');
    expect(estimator.estimate('onnx', 'ocr')).toBe(1000);
    expect(estimator.estimate('onnx', 'embed')).toBe(10);
    // The engine average is dominated by the fast embeddings; an unmeasured model starts from it.
    expect(estimator.estimate('onnx')).toBeLessThan(30);
    expect(estimator.estimate('onnx', 'new-model')).toBe(estimator.estimate('onnx'));
    expect(estimator.measured('onnx', 'new-model')).toBe(true);
    expect(estimator.measured('other', 'ocr')).toBe(false);
    expect(estimator.predictStartMs('onnx', 1, 1, 1, estimator.estimate('onnx', 'ocr'))).toBe(2000);
  });
});
