import { stepFailure, stepInputError, stepUnsupported } from './step-errors.js';
import type { StepEnvironment, StepFunction } from './step-kernel.js';
import { int64Tensor, readStepFile } from './step-tensor.js';
import type { PhonemizedText } from './step-values.js';
import { parsePhonemeTokens } from './phoneme-tokens.js';

export interface PhonemizeParams {
  readonly tokens_file: string;
  /** Default MisakiDictionary (xybrid's default at HEAD). */
  readonly backend?: 'MisakiDictionary' | 'CmuDictionary' | 'EspeakNG';
  /** CmuDictionary: a cmudict file (`WORD  AH0 B AW1 T`); MisakiDictionary: JSON `{word: phonemes}`. */
  readonly dict_file?: string;
  /** espeak-ng voice (default en-us). The bundled espeak-ng WASM carries English voices only. */
  readonly language?: string;
  /** Wrap the ids in the pad id 0 on both sides (Kokoro/StyleTTS convention); default true. */
  readonly add_padding?: boolean;
  /** xybrid's English text clean-up before phonemizing; only false is supported here. */
  readonly normalize_text?: boolean;
  /** xybrid prepends this many Kokoro silence tokens (id 30); only 0 is supported here. */
  readonly silence_tokens?: number;
}

type Phonemizer = (text: string) => Promise<{ phonemes: string; symbols: string[] }>;

/**
 * Text -> phonemes -> token ids from `tokens_file`. EspeakNG runs espeak-ng compiled to WASM (the `phonemizer`
 * package, offline); CmuDictionary gives ARPAbet symbols (one token per symbol); MisakiDictionary gives per-character
 * IPA tokens. Symbols missing from tokens_file are dropped (as Kokoro does); out-of-dictionary words are INVALID_INPUT.
 */
export async function createPhonemizeStep(params: PhonemizeParams, env: StepEnvironment): Promise<StepFunction<string, Promise<PhonemizedText>>> {
  if (params.normalize_text) throw stepUnsupported(env, 'normalize_text: true (xybrid\'s TTS text normalisation) is not implemented here; normalise the text before the call and set it to false', { field: 'normalize_text', found: true });
  if (params.silence_tokens) throw stepUnsupported(env, 'silence_tokens > 0 (xybrid prepends Kokoro\'s silence id 30) is not implemented here; remove it or set it to 0', { field: 'silence_tokens', found: params.silence_tokens });
  const tokens = parsePhonemeTokens(await readStepFile(env, params.tokens_file, 'tokens_file'), params.tokens_file, env);
  const phonemizer = await createPhonemizer(params, env);
  const padding = params.add_padding ?? true;
  return async (text) => {
    if (typeof text !== 'string') throw stepInputError(env, 'expects text', { expected: 'string', found: typeof text });
    const { phonemes, symbols } = await phonemizer(text);
    const ids = symbols.map((s) => tokens.get(s)).filter((id): id is number => id !== undefined);
    const padded = padding ? [0, ...ids, 0] : ids;
    return { phonemes, inputIds: int64Tensor(padded, [1, padded.length]) };
  };
}

async function createPhonemizer(params: PhonemizeParams, env: StepEnvironment): Promise<Phonemizer> {
  const backend = params.backend ?? 'MisakiDictionary';
  switch (backend) {
    case 'EspeakNG': {
      const language = params.language ?? 'en-us';
      const { phonemize, list_voices: listVoices } = await importPhonemizer();
      const voices = (await listVoices()) as unknown as { identifier: string; languages: { name: string }[] }[];
      const known = new Set(voices.flatMap((v) => [v.identifier, ...v.languages.map((l) => l.name)]));
      if (!known.has(language)) {
        throw stepUnsupported(env, `espeak-ng voice '${language}' is not available offline; the bundled espeak-ng WASM has English voices only (${[...known].sort().join(', ')})`, { field: 'language', found: language });
      }
      return async (text) => {
        const phonemes = (await phonemize(text, language)).join(' ');
        return { phonemes, symbols: [...phonemes] };
      };
    }
    case 'CmuDictionary':
    case 'MisakiDictionary': {
      // Without dict_file, MisakiDictionary reads xybrid's bundled us_gold.json (+ us_silver.json) when `files` lists them.
      const misakiFiles = ['us_silver.json', 'us_gold.json'].filter((name) => env.files[name] !== undefined);
      if (!params.dict_file && !(backend === 'MisakiDictionary' && misakiFiles.includes('us_gold.json'))) {
        throw stepFailure(env, `backend ${backend} needs dict_file${backend === 'MisakiDictionary' ? ' (or us_gold.json listed in files, as xybrid bundles it)' : ''}`, undefined, { field: 'dict_file' });
      }
      let dictionary: Map<string, string>;
      if (params.dict_file) {
        const text = await readStepFile(env, params.dict_file, 'dict_file');
        dictionary = backend === 'CmuDictionary' ? parseCmuDict(text) : parseMisakiDict(text, params.dict_file, env);
      } else {
        dictionary = new Map();
        for (const name of misakiFiles) for (const [w, p] of parseMisakiDict(await readStepFile(env, name, 'dict_file'), name, env)) dictionary.set(w, p);
      }
      return async (input) => {
        const words = input.toLowerCase().match(/[a-z0-9']+|[.,!?;:]/g) ?? [];
        const missing = words.filter((w) => !/^[.,!?;:]$/.test(w) && !dictionary.has(w));
        if (missing.length) {
          throw stepInputError(env, `words not in dict_file '${params.dict_file ?? misakiFiles.join(' + ')}': ${missing.join(', ')}`, { expected: 'dictionary words', found: missing.join(', ') });
        }
        const parts = words.map((w) => dictionary.get(w) ?? w);
        if (backend === 'CmuDictionary') {
          const symbols = parts.flatMap((p, i) => [...(i ? [' '] : []), ...p.split(' ')]);
          return { phonemes: parts.join(' '), symbols };
        }
        const phonemes = parts.join(' ').replace(/ ([.,!?;:])/g, '$1');
        return { phonemes, symbols: [...phonemes] };
      };
    }
    default:
      throw stepFailure(env, `unknown backend '${String(backend)}'`, undefined, { field: 'backend', expected: 'MisakiDictionary | CmuDictionary | EspeakNG', found: backend });
  }
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Loaded lazily: the package is a 20 MB WASM bundle and should cost nothing unless a model uses it. Its Emscripten
 * glue registers process-wide uncaughtException/unhandledRejection handlers that rethrow; they are removed so the
 * host application's own error handling stays in charge.
 */
async function importPhonemizer(): Promise<typeof import('phonemizer')> {
  const listeners = (event: string) => process.listeners(event as 'uncaughtException') as ((...args: unknown[]) => void)[];
  const before = new Map(PROCESS_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const module = await import('phonemizer');
  for (const event of PROCESS_EVENTS) {
    for (const listener of listeners(event)) if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
  }
  return module;
}

function parseCmuDict(text: string): Map<string, string> {
  const dictionary = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith(';;;')) continue;
    const match = /^(\S+?)(?:\(\d+\))?\s+(.+)$/.exec(line);
    if (match && !dictionary.has(match[1]!.toLowerCase())) dictionary.set(match[1]!.toLowerCase(), match[2]!.trim());
  }
  return dictionary;
}

function parseMisakiDict(text: string, name: string, env: StepEnvironment): Map<string, string> {
  let parsed: Record<string, unknown>;
  try { parsed = JSON.parse(text) as Record<string, unknown>; } catch (error) {
    throw stepFailure(env, `dict_file '${name}' is not valid JSON`, error, { field: 'dict_file' });
  }
  const dictionary = new Map<string, string>();
  for (const [word, value] of Object.entries(parsed)) {
    const phonemes = typeof value === 'string' ? value : (value as { DEFAULT?: string } | null)?.DEFAULT;
    if (typeof phonemes === 'string') dictionary.set(word.toLowerCase(), phonemes);
  }
  return dictionary;
}
