import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createPhonemizeStep } from './phonemize-step.js';
import { testFrame, testStepEnv, ids } from './step-test-env.js';

let dir: string;
const files: Record<string, string> = {};
const env = () => testStepEnv('preprocessing/0 (Phonemize)', files);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-phonemize-'));
  const write = (name: string, content: string) => { files[name] = join(dir, name); writeFileSync(files[name]!, content); };
  // Kokoro-style config.json vocab: one id per IPA character, 0 is the pad "$".
  const ipa = ['$', ' ', 'h', 'ə', 'l', 'ˈ', 'o', 'ʊ', 'w', 'ɜ', 'ː', 'd', 'ɹ', 'i', 'ɛ'];
  write('config.json', JSON.stringify({ vocab: Object.fromEntries(ipa.map((c, i) => [c, i])) }));
  write('tokens.txt', ['_ 0', 'HH 1', 'AH0 2', 'L 3', 'OW1 4', 'W 5', 'ER1 6', 'D 7', '  8'].join('\n'));
  write('cmudict.txt', ';;; comment\nHELLO  HH AH0 L OW1\nHELLO(1)  HH EH0 L OW1\nWORLD  W ER1 L D\n');
  write('us_gold.json', JSON.stringify({ hello: 'həlˈoʊ', world: { DEFAULT: 'wˈɜːld', NOUN: 'x' } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Phonemize', () => {
  // First in the file: the module is imported once per test process.
  it('loading espeak-ng leaves no process-wide error handlers behind', async () => {
    const before = process.listeners('unhandledRejection').length + process.listeners('uncaughtException').length;
    await createPhonemizeStep({ tokens_file: 'config.json', backend: 'EspeakNG' }, env());
    expect(process.listeners('unhandledRejection').length + process.listeners('uncaughtException').length).toBe(before);
  });

  it('EspeakNG (WASM, offline) phonemizes English and maps characters to ids with padding', async () => {
    const step = await createPhonemizeStep({ tokens_file: 'config.json', backend: 'EspeakNG' }, env());
    const out = await step('Hello world', testFrame());
    expect(out.phonemes).toBe('həlˈoʊ wˈɜːld');
    expect(ids(out.inputIds)).toEqual([0, 2, 3, 4, 5, 6, 7, 1, 8, 5, 9, 10, 4, 11, 0]);
    expect(out.inputIds.dims).toEqual([1, 15]);
  });

  it('EspeakNG reports a voice that is not bundled as UNSUPPORTED', async () => {
    const error = await createPhonemizeStep({ tokens_file: 'config.json', backend: 'EspeakNG', language: 'fr' }, env()).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toMatch(/espeak-ng voice 'fr' is not available offline.*en-us/);
  });

  it('CmuDictionary gives ARPAbet symbols mapped through tokens.txt', async () => {
    const step = await createPhonemizeStep({ tokens_file: 'tokens.txt', backend: 'CmuDictionary', dict_file: 'cmudict.txt', add_padding: false }, env());
    const out = await step('Hello, world', testFrame());
    expect(out.phonemes).toBe('HH AH0 L OW1 , W ER1 L D');
    expect(ids(out.inputIds)).toEqual([1, 2, 3, 4, 8, 8, 5, 6, 3, 7]);
  });

  it('MisakiDictionary reads us_gold-style entries', async () => {
    const step = await createPhonemizeStep({ tokens_file: 'config.json', backend: 'MisakiDictionary', dict_file: 'us_gold.json' }, env());
    const out = await step('hello world', testFrame());
    expect(out.phonemes).toBe('həlˈoʊ wˈɜːld');
  });

  it("without backend and dict_file, reads xybrid's us_gold.json from the model's files (MisakiDictionary default)", async () => {
    const step = await createPhonemizeStep({ tokens_file: 'config.json' }, env());
    expect((await step('hello world', testFrame())).phonemes).toBe('həlˈoʊ wˈɜːld');
    await expect(createPhonemizeStep({ tokens_file: 'config.json', normalize_text: true }, env())).rejects.toThrowError(/normalize_text: true .* is not implemented here/);
    await expect(createPhonemizeStep({ tokens_file: 'config.json', silence_tokens: 2 }, env())).rejects.toThrowError(/silence_tokens > 0/);
  });

  it('names out-of-dictionary words and a missing dict_file', async () => {
    const step = await createPhonemizeStep({ tokens_file: 'tokens.txt', backend: 'CmuDictionary', dict_file: 'cmudict.txt' }, env());
    await expect(step('hello switchyard', testFrame())).rejects.toThrowError(/preprocessing\/0 \(Phonemize\): words not in dict_file 'cmudict.txt': switchyard/);
    await expect(createPhonemizeStep({ tokens_file: 'tokens.txt', backend: 'CmuDictionary' }, env())).rejects.toThrowError(/needs dict_file/);
    await expect(createPhonemizeStep({ tokens_file: 'tokens.txt', backend: 'Festival' as never }, env())).rejects.toThrowError(/unknown backend 'Festival'/);
  });
});
