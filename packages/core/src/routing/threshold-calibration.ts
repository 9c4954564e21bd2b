import { SwitchyardError } from '@switchyard/spec';

export interface CalibrationResult {
  readonly threshold: number;
  /** Share of the sample that the threshold sends to the large model. */
  readonly achievedShare: number;
  readonly sampleSize: number;
}

/**
 * Picks the score threshold that sends `largeShare` of the sample to the large model (score >= threshold -> large).
 * Ties are kept together, so the achieved share can differ slightly from the target.
 */
export function calibrateThreshold(scores: readonly number[], largeShare: number): CalibrationResult {
  if (!(largeShare >= 0 && largeShare <= 1)) {
    throw new SwitchyardError({ code: 'INVALID_INPUT', message: `--large-share must be between 0 and 1, found ${largeShare}`, details: { field: 'largeShare', found: largeShare } });
  }
  if (scores.length === 0) {
    throw new SwitchyardError({ code: 'INVALID_INPUT', message: 'Calibration needs at least one prompt', details: { field: 'prompts' } });
  }
  const sorted = [...scores].sort((a, b) => b - a);
  const wanted = Math.round(largeShare * sorted.length);
  let threshold: number;
  if (wanted <= 0) threshold = sorted[0]! + 1e-6;
  else if (wanted >= sorted.length) threshold = sorted[sorted.length - 1]!;
  else {
    // Midpoint between the last score in and the first score out keeps the threshold stable for new prompts.
    const inside = sorted[wanted - 1]!;
    const outside = sorted[wanted]!;
    threshold = inside === outside ? inside : (inside + outside) / 2;
  }
  const achieved = sorted.filter((s) => s >= threshold).length / sorted.length;
  return { threshold: Math.round(threshold * 1e6) / 1e6, achievedShare: achieved, sampleSize: sorted.length };
}
