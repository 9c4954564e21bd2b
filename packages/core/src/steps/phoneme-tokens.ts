import { stepFailure } from './step-errors.js';
import type { StepEnvironment } from './step-kernel.js';

/**
 * Parses a phoneme `tokens_file`: JSON `{symbol: id}` (optionally under "vocab", as Kokoro's config.json),
 * or text lines `symbol id` (sherpa-onnx / Piper tokens.txt), or one symbol per line (id = line number).
 */
export function parsePhonemeTokens(text: string, name: string, env: StepEnvironment): Map<string, number> {
  const tokens = new Map<string, number>();
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let parsed: Record<string, unknown>;
    try { parsed = JSON.parse(text) as Record<string, unknown>; } catch (error) {
      throw stepFailure(env, `tokens_file '${name}' is not valid JSON`, error, { field: 'tokens_file' });
    }
    const vocab = (typeof parsed.vocab === 'object' && parsed.vocab !== null ? parsed.vocab : parsed) as Record<string, unknown>;
    for (const [symbol, id] of Object.entries(vocab)) if (typeof id === 'number') tokens.set(symbol, id);
  } else {
    const lines = text.split(/\r?\n/);
    lines.forEach((line, index) => {
      if (line.length === 0) return;
      const match = /^(.+?)[ \t]+(\d+)$/.exec(line);
      if (match) tokens.set(match[1]!, Number(match[2]));
      else tokens.set(line, index);
    });
  }
  if (tokens.size === 0) throw stepFailure(env, `tokens_file '${name}' has no tokens`, undefined, { field: 'tokens_file' });
  return tokens;
}
