// End-to-end: `node start.js` (what `npm start` runs after the build) serves the real models, and every curl
// command it prints works as printed. Needs the packages built (root `npm test` builds first) plus curl and base64.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const sh = promisify(execFile);
let child: ChildProcess;
let printed = '';
let exited: Promise<number | null>;

beforeAll(async () => {
  const env = { ...process.env, PORT: '0' };
  delete env.OPENAI_API_KEY;
  child = spawn(process.execPath, ['start.js'], { cwd: demoDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('Ctrl-C stops gracefully')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${stderr}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
});

/** `# title` followed by the command line, as start.js prints them. */
function commands(): Map<string, string> {
  const lines = printed.split('\n');
  const found = new Map<string, string>();
  lines.forEach((line, index) => {
    if (line.startsWith('# ')) found.set(line.slice(2), lines[index + 1]!);
  });
  return found;
}

function command(titleStart: string): string {
  const entry = [...commands()].find(([title]) => title.startsWith(titleStart));
  expect(entry, `printed command '${titleStart}'`).toBeDefined();
  return entry![1];
}

describe('npm start demo', () => {
  it('prints the URL, the engines and four commands', () => {
    expect(printed).toMatch(/Switchyard demo serving at http:\/\/127\.0\.0\.1:\d+/);
    expect(printed).toContain('engines: onnx');
    expect([...commands().keys()]).toHaveLength(4);
  });

  it('the OCR command reads the demo image with the real PaddleOCR model', async () => {
    const { stdout } = await sh('sh', ['-c', command('OCR')], { cwd: demoDir, maxBuffer: 1 << 22 });
    expect(stdout).toMatch(/^event: started/);
    expect(stdout).toContain('event: end');
    const delta = stdout.split('\n\n').find((frame) => /^event: delta$/m.test(frame))!;
    const lines = (JSON.parse(delta.split('data: ')[1]!) as { value: { lines: { text: string }[] } }).value.lines.map((line) => line.text);
    expect(lines).toEqual(['SWITCHYARD DEMO', 'Hybrid inference, local first', 'Total: 42.50 EUR']);
  }, 60_000);

  it('the VAD command finds the speech segments of the committed WAV', async () => {
    const { stdout } = await sh('sh', ['-c', command('Speech segments')], { cwd: demoDir, maxBuffer: 1 << 22 });
    const delta = stdout.split('\n\n').find((frame) => /^event: delta$/m.test(frame))!;
    const { segments } = (JSON.parse(delta.split('data: ')[1]!) as { value: { segments: { start_ms: number; end_ms: number }[] } }).value;
    expect(segments.length).toBe(3);
    expect(segments.every((segment) => segment.end_ms > segment.start_ms)).toBe(true);
  }, 60_000);

  it('the models command lists the local models and the cloud route', async () => {
    const { stdout } = await sh('sh', ['-c', command('Models')], { cwd: demoDir });
    const ids = (JSON.parse(stdout) as { data: { id: string }[] }).data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['paddleocr-v4', 'silero-vad', 'openai:gpt-4o-mini']));
  });

  it('the cloud command explains that the route is disabled until a key is set', async () => {
    const { stdout } = await sh('sh', ['-c', command('Cloud chat')], { cwd: demoDir });
    expect(JSON.parse(stdout)).toMatchObject({ code: 'ENGINE_UNAVAILABLE', engine: 'openai' });
    expect(JSON.parse(stdout).message).toContain('set OPENAI_API_KEY');
  });

  it('serves OpenAI-style embeddings from a local model (xybrid-minilm: Tokenize -> ONNX -> MeanPool)', async () => {
    const base = /serving at (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1]!;
    const response = await fetch(`${base}/v1/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'xybrid-minilm', input: ['hello world', 'switchyard routes requests'], encoding_format: 'float' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
    expect(body.data.map((item) => item.index)).toEqual([0, 1]);
    const [first, second] = body.data.map((item) => item.embedding);
    expect(first!.length).toBeGreaterThan(0);
    expect(first!.length).toBe(second!.length);
    expect(first!.every(Number.isFinite)).toBe(true);
    // Different texts give different vectors (the pipeline really ran on each input).
    expect(first!.some((value, i) => Math.abs(value - second![i]!) > 1e-4)).toBe(true);
  });

  it('stops gracefully on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(printed).toContain('stopped');
  });
});
