import { stepFailure } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { readStepFile, toIdArray } from './step-tensor.js';
import { createByteDecoder } from './byte-level-alphabet.js';

export interface BPEDecodeParams {
  /** GPT-2 style vocab.json (`{token: id}`) or a tokenizer.json with a BPE model. */
  readonly vocab_file: string;
  /** Our extension: drop ids of added special tokens (tokenizer.json `added_tokens` with special: true). */
  readonly skip_special_tokens?: boolean;
}

/**
 * Token ids (int tensor `[n]`/`[1, n]`, or a number array) -> text, GPT-2 byte-level: ids -> tokens -> bytes via the
 * byte alphabet -> UTF-8. A batch `[B, n]` gives one string per row.
 */
export async function createBPEDecodeStep(params: BPEDecodeParams, env: StepEnvironment): Promise<StepFunction<unknown, string | string[]>> {
  const text = await readStepFile(env, params.vocab_file, 'vocab_file');
  let json: Record<string, unknown>;
  try { json = JSON.parse(text) as Record<string, unknown>; } catch (error) {
    throw stepFailure(env, `vocab_file '${params.vocab_file}' is not valid JSON`, error, { field: 'vocab_file' });
  }
  const model = json.model as { vocab?: Record<string, number> } | undefined;
  const vocab = (model?.vocab ?? json) as Record<string, number>;
  const idToToken = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) if (typeof id === 'number') idToToken.set(id, token);
  const special = new Set<number>();
  for (const added of (json.added_tokens as { id: number; content: string; special?: boolean }[] | undefined) ?? []) {
    idToToken.set(added.id, added.content);
    if (added.special) special.add(added.id);
  }
  if (idToToken.size === 0) throw stepFailure(env, `vocab_file '${params.vocab_file}' has no tokens`, undefined, { field: 'vocab_file' });
  const byteDecoder = createByteDecoder();
  const utf8 = new TextDecoder('utf-8');

  const decodeRow = (ids: number[]): string => {
    const bytes: number[] = [];
    for (const id of ids) {
      if (params.skip_special_tokens && special.has(id)) continue;
      const token = idToToken.get(id);
      if (token === undefined) continue;
      if (special.has(id)) { bytes.push(...new TextEncoder().encode(token)); continue; }
      for (const ch of token) {
        const b = byteDecoder.get(ch);
        if (b !== undefined) bytes.push(b);
        else bytes.push(...new TextEncoder().encode(ch));
      }
    }
    return utf8.decode(Uint8Array.from(bytes));
  };

  return (input) => {
    const rows = toIdArray(input, env);
    return rows.length === 1 ? decodeRow(rows[0]!) : rows.map(decodeRow);
  };
}
