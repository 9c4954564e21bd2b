import { stepFailure, stepInputError } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { checkTensorSize, expectTensor, readStepFile, toFloat32 } from './step-tensor.js';
import type { DecodedLine, TensorInput } from './step-values.js';

export interface CTCDecodeParams {
  /** One token per line (PaddleOCR keys, wav2vec2 vocab.txt) or a JSON vocab (`{token: id}` or `[token, ...]`). */
  readonly vocab_file: string;
  readonly blank_index?: number;
}

/**
 * Greedy CTC: argmax per time step, collapse repeats, drop blanks. Input `[N, T, C]` or `[T, C]` scores
 * (probabilities, or logits which are soft-maxed for the confidence). One DecodedLine per batch item; confidence is
 * the mean max-probability of the emitted tokens (0 for an empty line).
 *
 * A line-per-token vocab that lacks the blank (PaddleOCR keys) gets it inserted at blank_index when the model has
 * one class more than the file, and also a trailing space token when it has two more (PaddleOCR use_space_char).
 */
export async function createCTCDecodeStep(params: CTCDecodeParams, env: StepEnvironment): Promise<StepFunction<TensorInput, DecodedLine[]>> {
  const blank = params.blank_index ?? 0;
  if (!Number.isInteger(blank) || blank < 0) throw stepFailure(env, 'blank_index must be a non-negative integer', undefined, { field: 'blank_index', found: blank });
  const vocab = parseVocab(await readStepFile(env, params.vocab_file, 'vocab_file'), params.vocab_file, env);
  const classTables = new Map<number, readonly string[]>();
  const tableFor = (classes: number): readonly string[] => {
    let table: readonly string[] | undefined = classTables.get(classes);
    if (table) return table;
    if (classes === vocab.length) table = vocab;
    else if (classes === vocab.length + 1) table = [...vocab.slice(0, blank), '', ...vocab.slice(blank)];
    else if (classes === vocab.length + 2) table = [...vocab.slice(0, blank), '', ...vocab.slice(blank), ' '];
    else throw stepInputError(env, `the model's class count does not fit vocab_file '${params.vocab_file}'`, { expected: `${vocab.length} to ${vocab.length + 2} classes`, found: `${classes}` });
    // wav2vec2 vocabularies (HF Wav2Vec2CTCTokenizer, as xybrid reads them): `|` is the word delimiter, `<pad>`,
    // `<s>`, `</s>`, `<unk>` are special tokens that decode to nothing.
    table = table.map((token) => (token === '|' ? ' ' : /^<[^<>\s]+>$/.test(token) ? '' : token));
    classTables.set(classes, table);
    return table;
  };

  return (input) => {
    const tensor = expectTensor(input, env);
    checkTensorSize(tensor, env);
    if (tensor.dims.length !== 2 && tensor.dims.length !== 3) {
      throw stepInputError(env, 'expects CTC scores', { expected: '[N, T, C] or [T, C]', found: `[${tensor.dims.join(', ')}]` });
    }
    const [batch, steps, classes] = tensor.dims.length === 3 ? (tensor.dims as [number, number, number]) : [1, tensor.dims[0]!, tensor.dims[1]!];
    if (blank >= classes) throw stepInputError(env, 'blank_index is outside the class axis', { expected: `< ${classes}`, found: String(blank), field: 'blank_index' });
    const table = tableFor(classes);
    const lines = decodeCtcGreedy(toFloat32(tensor, env), [batch, steps, classes], table, blank);
    // Word delimiters collapse to single spaces, none at the ends (HF's decode and xybrid agree).
    return lines.map((line) => ({ ...line, text: line.text.split(/\s+/).filter(Boolean).join(' ') }));
  };
}

export interface CtcGreedyOptions {
  /**
   * `'auto'` (default): a time step whose scores all lie in [0, 1] is taken as probabilities, any other step as
   * logits, whose emitted class gets its softmax probability as confidence. `'probabilities'`: the best score is the
   * confidence as is.
   */
  readonly scores?: 'auto' | 'probabilities';
}

/**
 * Greedy CTC decoding of row-major `[batch, steps, classes]` scores: best class per time step (the first on ties),
 * collapse repeats, drop `blankIndex`; `table[c]` is the text of class c. A line's confidence is the mean probability
 * of its emitted classes (0 for an empty line).
 */
export function decodeCtcGreedy(
  scores: ArrayLike<number>,
  dims: readonly [batch: number, steps: number, classes: number],
  table: readonly string[],
  blankIndex: number,
  options: CtcGreedyOptions = {},
): DecodedLine[] {
  const [batch, steps, classes] = dims;
  const auto = (options.scores ?? 'auto') === 'auto';
  const lines: DecodedLine[] = [];
  for (let b = 0; b < batch; b++) {
    let text = '';
    let confidence = 0;
    let emitted = 0;
    let previous = -1;
    for (let t = 0; t < steps; t++) {
      const base = (b * steps + t) * classes;
      let best = 0;
      let bestScore = scores[base]!;
      let isProbability = true;
      if (auto) {
        isProbability = bestScore >= 0 && bestScore <= 1;
        for (let c = 1; c < classes; c++) {
          const v = scores[base + c]!;
          if (v < 0 || v > 1) isProbability = false;
          if (v > bestScore) { bestScore = v; best = c; }
        }
      } else {
        // 'probabilities': no range check, only the argmax.
        best = argmaxRange(scores, base, base + classes) - base;
        bestScore = scores[base + best]!;
      }
      if (best !== blankIndex && best !== previous) {
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

/** Index of the first largest value in scores[start, end); a small loop of its own, which V8 optimises apart. */
function argmaxRange(scores: ArrayLike<number>, start: number, end: number): number {
  let best = start;
  let bestScore = scores[start]!;
  for (let i = start + 1; i < end; i++) {
    const v = scores[i]!;
    if (v > bestScore) { bestScore = v; best = i; }
  }
  return best;
}

function parseVocab(text: string, name: string, env: StepEnvironment): string[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch (error) { throw stepFailure(env, `vocab_file '${name}' is not valid JSON`, error, { field: 'vocab_file' }); }
    if (Array.isArray(parsed)) return parsed.map(String);
    const entries = Object.entries(parsed as Record<string, number>);
    const tokens = new Array<string>(entries.length).fill('');
    for (const [token, id] of entries) tokens[id] = token;
    return tokens;
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw stepFailure(env, `vocab_file '${name}' is empty`, undefined, { field: 'vocab_file' });
  return lines;
}
