import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { writeWav } from '../steps/wav-reader.js';
import { imageInputFor, modelInputFromText, readModelInputFile, tensorFromJson, type ModelInputFileKind } from './model-input-file.js';

const repoModel = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../../../${path}/model_metadata.json`, import.meta.url), 'utf8'));

// The repo's models, by what their first step takes.
const MODELS = {
  'paddleocr-v4': repoModel('packages/model-paddleocr-v4'), // OcrImageDecode: image bytes
  'silero-vad': repoModel('packages/model-silero-vad'), // VadWavDecode: audio
  'xybrid-minilm': repoModel('models/xybrid-minilm'), // Tokenize: text
  'xybrid-digits': repoModel('models/xybrid-digits'), // Reshape: a tensor, or an image (decoded)
} as const;

const FILES: Record<ModelInputFileKind, string> = { image: 'note.png', audio: 'speech.wav', text: 'prompt.txt', tensor: 'digit.json' };

let cwd: string;
let work: string;
beforeAll(async () => {
  cwd = process.cwd();
  work = mkdtempSync(join(tmpdir(), 'model-input-file-'));
  process.chdir(work);
  await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toFile(FILES.image);
  writeFileSync(FILES.audio, writeWav(new Float32Array(160), 16000));
  writeFileSync(FILES.text, 'hello');
  writeFileSync(FILES.tensor, JSON.stringify([[1, 2], [3, 4]]));
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(work, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!SwitchyardError.isInstance(error)) throw new Error(`expected a SwitchyardError, got ${String(error)}`);
  return error;
}

describe('readModelInputFile checks the file against the first step of the model (STEP_IO)', () => {
  // [model, file kind, the engine input kind it becomes | the message it fails with]
  const table: [keyof typeof MODELS, ModelInputFileKind, string][] = [
    ['paddleocr-v4', 'image', 'image'],
    ['paddleocr-v4', 'audio', "input file speech.wav: is audio, but model 'paddleocr-v4' takes an image (its first step OcrImageDecode takes bytes of an image file): give a .png, .jpg, .jpeg or .webp file"],
    ['paddleocr-v4', 'text', "input file prompt.txt: is text, but model 'paddleocr-v4' takes an image (its first step OcrImageDecode takes bytes of an image file): give a .png, .jpg, .jpeg or .webp file"],
    ['paddleocr-v4', 'tensor', "input file digit.json: is a tensor, but model 'paddleocr-v4' takes an image (its first step OcrImageDecode takes bytes of an image file): give a .png, .jpg, .jpeg or .webp file"],
    ['silero-vad', 'image', "input file note.png: is an image, but model 'silero-vad' takes audio (its first step VadWavDecode takes bytes of an audio file or audio): give a .wav file"],
    ['silero-vad', 'audio', 'audio'],
    ['silero-vad', 'text', "input file prompt.txt: is text, but model 'silero-vad' takes audio (its first step VadWavDecode takes bytes of an audio file or audio): give a .wav file"],
    ['silero-vad', 'tensor', "input file digit.json: is a tensor, but model 'silero-vad' takes audio (its first step VadWavDecode takes bytes of an audio file or audio): give a .wav file"],
    ['xybrid-minilm', 'image', "input file note.png: is an image, but model 'xybrid-minilm' takes text (its first step Tokenize takes text or texts): give a .txt file or --text \"...\""],
    ['xybrid-minilm', 'audio', "input file speech.wav: is audio, but model 'xybrid-minilm' takes text (its first step Tokenize takes text or texts): give a .txt file or --text \"...\""],
    ['xybrid-minilm', 'text', 'text'],
    ['xybrid-minilm', 'tensor', "input file digit.json: is a tensor, but model 'xybrid-minilm' takes text (its first step Tokenize takes text or texts): give a .txt file or --text \"...\""],
    ['xybrid-digits', 'image', 'image'],
    ['xybrid-digits', 'audio', "input file speech.wav: is audio, but model 'xybrid-digits' takes an image or a tensor (its first step Reshape takes tensor, tensors, numbers, samples, typed-array or image): give a .png, .jpg, .jpeg or .webp file or a .json file ({\"dims\":[...],\"data\":[...]} or a nested array of numbers)"],
    ['xybrid-digits', 'text', "input file prompt.txt: is text, but model 'xybrid-digits' takes an image or a tensor (its first step Reshape takes tensor, tensors, numbers, samples, typed-array or image): give a .png, .jpg, .jpeg or .webp file or a .json file ({\"dims\":[...],\"data\":[...]} or a nested array of numbers)"],
    ['xybrid-digits', 'tensor', 'json'],
  ];

  it.each(table)('%s given %s: %s', async (modelId, kind, expected) => {
    const read = readModelInputFile(FILES[kind], MODELS[modelId], modelId);
    if (!expected.startsWith('input file')) {
      expect((await read).kind).toBe(expected);
      return;
    }
    const error = await failure(read);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(expected);
    expect(error.details).toMatchObject({ file: FILES[kind], modelId });
  });

  it('hands an image file over as its bytes: the pipeline decodes them as its first step takes an image (imageInputFor)', async () => {
    expect(await readModelInputFile(FILES.image, { preprocessing: [{ type: 'Resize' }] }, 'm')).toMatchObject({ kind: 'image' });
    expect(await readModelInputFile(FILES.image, { preprocessing: [{ type: 'ImageDecode' }] }, 'm')).toMatchObject({ kind: 'image' });
  });
});

describe('imageInputFor: image bytes as the first step takes them, on every path', () => {
  const signal = new AbortController().signal;
  const png = () => new Uint8Array(readFileSync(FILES.image));

  it('decodes for a first step that takes an image but no bytes, and hands bytes to one that decodes them', async () => {
    expect(await imageInputFor({ preprocessing: [{ type: 'Resize' }] }, 'm')(png(), signal)).toMatchObject({ width: 4, height: 3, channels: 3 });
    expect(await imageInputFor({ preprocessing: [{ type: 'ImageDecode' }] }, 'm')(png(), signal)).toBeInstanceOf(Uint8Array);
    expect(await imageInputFor({ preprocessing: [{ type: 'AcmeStep' }] }, 'm')(png(), signal)).toBeInstanceOf(Uint8Array);
  });

  it("decodes in greyscale for a first step whose shape holds one value per pixel (xybrid-digits' Reshape)", async () => {
    await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 200, g: 200, b: 200 } } }).png().toFile('digit.png');
    const digit = await imageInputFor(MODELS['xybrid-digits'], 'xybrid-digits')(new Uint8Array(readFileSync('digit.png')), signal);
    expect(digit).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect((digit as { data: Uint8Array }).data).toHaveLength(784);
    // Any other size keeps RGB (the model's Reshape then names the element count it expected).
    expect(await imageInputFor(MODELS['xybrid-digits'], 'xybrid-digits')(png(), signal)).toMatchObject({ channels: 3 });
  });

  it('refuses image bytes for a first step that takes no image, naming the model and what it takes', async () => {
    const error = await failure(imageInputFor(MODELS['xybrid-minilm'], 'xybrid-minilm')(png(), signal));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe("input: is an image, but model 'xybrid-minilm' takes text (its first step Tokenize takes text or texts)");
    await expect(imageInputFor(MODELS['silero-vad'], 'silero-vad')(png(), signal)).rejects.toThrow("model 'silero-vad' takes audio");
  });
});

describe('--text and steps STEP_IO does not know', () => {
  it('--text is checked the same way when the model is given', () => {
    expect(modelInputFromText('hi', { metadata: MODELS['xybrid-minilm'], modelId: 'xybrid-minilm' })).toEqual({ kind: 'text', prompt: 'hi' });
    expect(() => modelInputFromText('hi', { metadata: MODELS['paddleocr-v4'], modelId: 'paddleocr-v4' })).toThrow(
      "--text: is text, but model 'paddleocr-v4' takes an image (its first step OcrImageDecode takes bytes of an image file): give a .png, .jpg, .jpeg or .webp file",
    );
  });

  it('leaves a first step STEP_IO does not know (a plugin step) or no step to the model', async () => {
    expect((await readModelInputFile(FILES.audio, { preprocessing: [{ type: 'AcmeStep' }] }, 'm')).kind).toBe('audio');
    expect((await readModelInputFile(FILES.text, {}, 'm')).kind).toBe('text');
  });
});

describe('tensorFromJson names the first ragged row or non-number by JSON pointer', () => {
  it.each([
    [[[1, 2], [3]], 'input file t.json: /1 has 1 number, expected 2 like /0'],
    [[[[1, 2], [3, 4]], [[5, 6], [7, 8, 9]]], 'input file t.json: /1/1 has 3 numbers, expected 2 like /0/0'],
    [[[1, 2], 3], 'input file t.json: /1 is 3, expected an array of 2 numbers like /0'],
    [[[1, 2], [3, 'x']], 'input file t.json: /1/1 is "x", expected a finite number'],
    [[1, null], 'input file t.json: /1 is null, expected a finite number'],
    [{ dims: [2], data: [1, 'x'] }, 'input file t.json: /data/1 is "x", expected a finite number'],
    [['a', 'b'], 'input file t.json: expected a tensor {"dims":[...],"data":[...]} or a nested array of numbers'],
  ])('%j', (value, message) => {
    expect(() => tensorFromJson(value, 't.json')).toThrow(message);
  });

  it('reads a regular nested array as its shape', () => {
    expect(tensorFromJson([[1, 2], [3, 4]], 't.json')).toMatchObject({ kind: 'json', value: { dims: [2, 2] } });
  });
});
