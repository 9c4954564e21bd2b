/** What a classifier says about a prompt. */
export interface Classification {
  readonly category: 'code' | 'reasoning' | 'creative' | 'extraction' | 'summary' | 'classification';
  readonly complexity: 'simple' | 'moderate' | 'complex';
  readonly confidence: number;
  /** 0..1: how much the prompt needs the large model; compared with a calibrated threshold when one is set. */
  readonly score: number;
}

export const CATEGORIES = ['code', 'reasoning', 'creative', 'extraction', 'summary', 'classification'] as const;
export const COMPLEXITIES = ['simple', 'moderate', 'complex'] as const;

/** Classifies prompts for small-vs-large routing. */
export interface PromptClassifier {
  readonly kind: string;
  classify(text: string, signal?: AbortSignal): Classification | Promise<Classification>;
}

/**
 * Used when a classifier cannot answer (its failure is reported through the classifier's onFailure): reasoning /
 * moderate, score 0.5, confidence 0 — the category rule routes that to the LARGE model, so a failing classifier
 * never downgrades quality; with a `threshold` <= 0.5 it is large too.
 */
export const SAFE_DEFAULT_CLASSIFICATION: Classification = Object.freeze({
  category: 'reasoning',
  complexity: 'moderate',
  confidence: 0,
  score: 0.5,
});

/** The spec's rule: simple, or extraction/summary/classification -> small; otherwise large. */
export function wantsLargeModel(c: Classification, threshold?: number): boolean {
  if (threshold !== undefined) return c.score >= threshold;
  if (c.complexity === 'simple') return false;
  return !(c.category === 'extraction' || c.category === 'summary' || c.category === 'classification');
}

/** Score implied by a category/complexity pair (used by classifiers that return no score). */
export function impliedScore(category: Classification['category'], complexity: Classification['complexity']): number {
  const base = complexity === 'simple' ? 0.15 : complexity === 'moderate' ? 0.5 : 0.85;
  const light = category === 'extraction' || category === 'summary' || category === 'classification';
  return Math.max(0, Math.min(1, light ? base - 0.15 : base));
}
