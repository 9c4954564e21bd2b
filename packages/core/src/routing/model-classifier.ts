import { SAFE_DEFAULT_CLASSIFICATION, impliedScore, CATEGORIES, type Classification, type PromptClassifier } from './classification.js';

/** Runs a registry classification model on text and returns `label -> probability`. */
export type LabelScorer = (text: string, signal?: AbortSignal) => Promise<Readonly<Record<string, number>>>;

/**
 * Classifier backed by any registry model that outputs label scores (an ONNX text classifier). Labels named like a
 * category set the category; labels `simple|moderate|complex` or `small|large` set the complexity and score.
 */
export class ModelClassifier implements PromptClassifier {
  readonly kind = 'model';
  constructor(
    private readonly scorer: LabelScorer,
    /** Told about every failure that fell back to SAFE_DEFAULT_CLASSIFICATION (the app logs it). */
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {}

  async classify(text: string, signal?: AbortSignal): Promise<Classification> {
    let scores: Readonly<Record<string, number>>;
    try {
      scores = await this.scorer(text, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      this.onFailure(error);
      return SAFE_DEFAULT_CLASSIFICATION;
    }
    const categoryEntries = Object.entries(scores).filter(([label]) => (CATEGORIES as readonly string[]).includes(label));
    const best = categoryEntries.sort((a, b) => b[1] - a[1])[0];
    const category = (best?.[0] ?? 'reasoning') as Classification['category'];
    const large = scores.large ?? scores.complex;
    if (large !== undefined) {
      const complexity: Classification['complexity'] = large >= 0.6 ? 'complex' : large >= 0.35 ? 'moderate' : 'simple';
      return { category, complexity, confidence: Math.max(large, 1 - large), score: large };
    }
    const complexity = (['simple', 'moderate', 'complex'] as const).reduce((a, b) => ((scores[b] ?? 0) > (scores[a] ?? 0) ? b : a), 'moderate');
    return { category, complexity, confidence: best?.[1] ?? 0.5, score: impliedScore(category, complexity) };
  }
}
