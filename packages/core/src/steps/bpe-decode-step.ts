import { stepFailure } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import type { TokenIdsInput } from './step-values.js';
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
export async function createBPEDecodeStep(params: BPEDecodeParams, env: StepEnvironment): Promise<StepFunction<TokenIdsInput, string | string[]>> {
  const text = await readStepFile(env, params.vocab_file, 'vocab_file');
  const base64 = parseBase64Vocab(text);
  if (base64) return createBase64Decoder(base64, params);
  let json: Record<string, unknown>;
  try { json = JSON.parse(text) as Record<string, unknown>; } catch (error) {
    throw stepFailure(env, `vocab_file '${params.vocab_file}' is neither JSON nor a "BASE64 ID" token list`, error, { field: 'vocab_file' });
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

  function createBase64Decoder(vocab: { tokens: Map<number, Uint8Array>; special: Map<number, string> }, options: BPEDecodeParams): StepFunction<TokenIdsInput, string | string[]> {
    const decode = (ids: number[]): string => {
      const bytes: number[] = [];
      for (const id of ids) {
        const named = vocab.special.get(id);
        if (named !== undefined) {
          if (!options.skip_special_tokens) bytes.push(...new TextEncoder().encode(named));
          continue;
        }
        const token = vocab.tokens.get(id);
        if (token) bytes.push(...token);
      }
      return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
    };
    return (input) => {
      const rows = toIdArray(input, env);
      return rows.length === 1 ? decode(rows[0]!) : rows.map(decode);
    };
  }
}

/**
 * tiktoken-style token lists (`BASE64 ID` per line, Whisper's tokens.txt as xybrid reads it): id -> bytes; the id is
 * the number after the token, else the line index. `<|...|>` lines are special tokens. Undefined when not that format.
 */
function parseBase64Vocab(text: string): { tokens: Map<number, Uint8Array>; special: Map<number, string> } | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length === 0 || text.trimStart().startsWith('{') || text.trimStart().startsWith('[')) return undefined;
  const tokens = new Map<number, Uint8Array>();
  const special = new Map<number, string>();
  for (const [index, line] of lines.entries()) {
    const match = /^(\S+)(?: (\d+))?$/.exec(line.trim());
    if (!match) return undefined;
    const id = match[2] !== undefined ? Number(match[2]) : index;
    const token = match[1]!;
    if (token.startsWith('<|') && token.endsWith('|>')) special.set(id, token);
    else if (/^[A-Za-z0-9+/]*={0,2}$/.test(token)) tokens.set(id, Uint8Array.from(Buffer.from(token, 'base64')));
    else return undefined;
  }
  return { tokens, special };
}
