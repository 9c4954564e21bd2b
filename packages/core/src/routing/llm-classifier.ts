import {
  CATEGORIES,
  COMPLEXITIES,
  SAFE_DEFAULT_CLASSIFICATION,
  impliedScore,
  type Classification,
  type PromptClassifier,
} from './classification.js';

/** Sends a prompt to a (small) LLM and returns its text answer; the orchestrator provides this. */
export type ClassifierCompletion = (prompt: string, signal?: AbortSignal) => Promise<string>;

export const LLM_CLASSIFIER_INSTRUCTIONS = `Classify the user request for model routing. Answer with one JSON object only:
{"category": "code|reasoning|creative|extraction|summary|classification", "complexity": "simple|moderate|complex", "confidence": 0.0-1.0}
Request:
`;

/** Only the first 800 characters of the prompt are sent to the classifier. */
export const LLM_CLASSIFIER_MAX_CHARS = 800;

/**
 * Parses the outermost `{...}` of a model answer (prose or code fences around it are ignored). Unknown categories,
 * complexities or broken JSON give the safe default.
 */
export function parseClassifierAnswer(answer: string): Classification {
  const start = answer.indexOf('{');
  const end = answer.lastIndexOf('}');
  if (start < 0 || end <= start) return SAFE_DEFAULT_CLASSIFICATION;
  let value: unknown;
  try {
    value = JSON.parse(answer.slice(start, end + 1));
  } catch {
    return SAFE_DEFAULT_CLASSIFICATION;
  }
  if (value === null || typeof value !== 'object') return SAFE_DEFAULT_CLASSIFICATION;
  const record = value as Record<string, unknown>;
  const category = String(record.category ?? '').toLowerCase();
  const complexity = String(record.complexity ?? '').toLowerCase();
  if (!(CATEGORIES as readonly string[]).includes(category) || !(COMPLEXITIES as readonly string[]).includes(complexity)) {
    return SAFE_DEFAULT_CLASSIFICATION;
  }
  const rawConfidence = Number(record.confidence);
  const confidence = Number.isFinite(rawConfidence) ? Math.max(0, Math.min(1, rawConfidence)) : 0.5;
  const c = category as Classification['category'];
  const x = complexity as Classification['complexity'];
  return { category: c, complexity: x, confidence, score: impliedScore(c, x) };
}

/** LLM-prompted classifier; any failure of the completion (timeout, error) yields the safe default. */
export class LlmClassifier implements PromptClassifier {
  readonly kind = 'llm';
  constructor(
    private readonly complete: ClassifierCompletion,
    /** Told about every failure that fell back to SAFE_DEFAULT_CLASSIFICATION (the app logs it). */
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {}

  async classify(text: string, signal?: AbortSignal): Promise<Classification> {
    try {
      const answer = await this.complete(LLM_CLASSIFIER_INSTRUCTIONS + text.slice(0, LLM_CLASSIFIER_MAX_CHARS), signal);
      return parseClassifierAnswer(answer);
    } catch (error) {
      if (signal?.aborted) throw error;
      this.onFailure(error);
      return SAFE_DEFAULT_CLASSIFICATION;
    }
  }
}
