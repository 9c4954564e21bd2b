import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/run-cli.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const pipelineFile = `${repo}examples/hybrid-pipeline/pipeline.yaml`;
const receipt = `${repo}examples/demo/assets/receipt.png`;


/** A local OpenAI-compatible server (the real wire format): /v1/models and /v1/chat/completions. */
let server: Server;
let baseURL: string;
const bodies: { model: string; messages: { role: string; content: string }[] }[] = [];
async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}
beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'qwen2.5-1.5b-instruct', object: 'model', created: 0, owned_by: 'test' }] }));
      return;
    }
    const body = JSON.parse(await readBody(req));
    bodies.push(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'A demo receipt totalling 42.50 EUR.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
const savedEnv = { url: process.env.SWITCHYARD_LOCAL_LLM_URL, key: process.env.OPENAI_API_KEY };
afterEach(() => {
  if (savedEnv.url === undefined) delete process.env.SWITCHYARD_LOCAL_LLM_URL;
  else process.env.SWITCHYARD_LOCAL_LLM_URL = savedEnv.url;
  if (savedEnv.key !== undefined) process.env.OPENAI_API_KEY = savedEnv.key;
});

describe('switchyard run --pipeline (examples/hybrid-pipeline, real ONNX OCR)', () => {
  it('OCRs locally, classifies the summary prompt as small and runs it on the local LLM server', async () => {
    process.env.SWITCHYARD_LOCAL_LLM_URL = baseURL;
    delete process.env.OPENAI_API_KEY;
    const { out, err, exitCode } = await runCli(['run', '--pipeline', pipelineFile, receipt]);
    expect(exitCode, err).toBe(0);
    expect(out.trim()).toBe('A demo receipt totalling 42.50 EUR.');
    expect(err).toContain('completed ocr on onnx:paddleocr-v4 (local');
    expect(err).toMatch(/completed summary on local-llm:qwen2.5-1.5b-instruct \(edge, classifier: summary\/simple/);
    const sent = bodies.at(-1)!;
    expect(sent.model).toBe('qwen2.5-1.5b-instruct');
    const user = sent.messages.find((m) => m.role === 'user')!.content;
    expect(user).toContain('Total: 42.50 EUR');
    expect(user).toContain('SWITCHYARD DEMO');
  }, 120_000);

  it('with no LLM reachable it says so, names every target tried, and falls back to the OCR text', async () => {
    process.env.SWITCHYARD_LOCAL_LLM_URL = 'http://127.0.0.1:9/v1';
    delete process.env.OPENAI_API_KEY;
    const { out, err, exitCode } = await runCli(['run', '--pipeline', pipelineFile, receipt]);
    expect(exitCode, err).toBe(0);
    expect(err).toContain("failed    summary — ROUTE_UNAVAILABLE: All 2 targets for 'summarize' failed: local-llm:qwen2.5-1.5b-instruct [CONNECTION_FAILED");
    expect(err).toContain('openai:gpt-4o-mini [CONFIG_ENV_MISSING');
    expect(err).toContain("note: 'summary' failed (see above); the output below comes from stage 'ocr'");
    expect(out).toContain('Total: 42.50 EUR');
  }, 120_000);

  it('--tasks-dir records the run and reports runs a previous process left in flight', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { StateStore } = await import('@switchyard/store');
    const dir = mkdtempSync(`${tmpdir()}/sy-tasks-`);
    try {
      const previous = new StateStore({ dataDir: dir, now: () => Date.parse('2026-01-01T00:00:00.000Z') });
      await previous.transition('old-run', 'pipeline:x', 'queued');
      await previous.transition('old-run', 'pipeline:x', 'running');
      previous.close();
      process.env.SWITCHYARD_LOCAL_LLM_URL = baseURL;
      const { err, exitCode } = await runCli(['run', '--pipeline', pipelineFile, '--tasks-dir', dir, receipt]);
      expect(exitCode, err).toBe(0);
      expect(err).toContain('note: 1 task(s) were in flight when the last process stopped: old-run (pipeline:x, running since 2026-01-01T00:00:00.000Z)');
      const store = new StateStore({ dataDir: dir });
      const [run] = store.listTasks({ kind: 'pipeline:' });
      expect(run).toMatchObject({ state: 'completed' });
      expect(store.transitions(run!.id).map((t) => t.to)).toEqual(['queued', 'running', 'completed']);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a config found next to the pipeline file is named relative to the current folder, not absolute', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-pipeline-config-'));
    const cwd = process.cwd();
    try {
      mkdirSync(join(root, 'work'));
      copyFileSync(pipelineFile, join(root, 'work', 'pipeline.yaml'));
      writeFileSync(join(root, 'work', 'switchyard.config.yaml'), 'server:\n  port: x\n');
      process.chdir(root);
      const { err, exitCode } = await runCli(['run', '--pipeline', join(root, 'work', 'pipeline.yaml')]);
      expect(exitCode).toBe(1);
      expect(err).toContain(`${join('work', 'switchyard.config.yaml')}:2:9: /server/port: expected integer, found string "x"`);
      expect(err).not.toContain(root);
    } finally {
      process.chdir(cwd);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names a pipeline file given by a relative path relative, never by its absolute path', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-pipeline-relative-'));
    const cwd = process.cwd();
    try {
      writeFileSync(join(root, 'bad.yaml'), 'version: 1\nsteps: [\n');
      process.chdir(root);
      const missing = await runCli(['run', '--pipeline', 'nope.yaml']);
      expect(missing.exitCode).toBe(1);
      expect(missing.err).toContain("PIPELINE_INVALID: nope.yaml: cannot read pipeline file: ENOENT: no such file or directory, open 'nope.yaml'");
      const bad = await runCli(['run', '--pipeline', 'bad.yaml']);
      expect(bad.exitCode).toBe(1);
      expect(bad.err).toContain('PIPELINE_INVALID: bad.yaml');
      for (const err of [missing.err, bad.err]) expect(err).not.toContain(root);
    } finally {
      process.chdir(cwd);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a json or text pipeline input that cannot be read or parsed is INVALID_INPUT naming the input (was INTERNAL)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-pipeline-inputs-'));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      writeFileSync('p.yaml', 'name: p\ninputs:\n  digit: { kind: json }\n  note: { kind: text }\nstages:\n  - { id: d, model: nope, target: local, input: inputs.digit }\n');
      writeFileSync('bad.json', '{bad');
      const cases: [string[], string][] = [
        [['--input', 'digit={bad', '--input', 'note=x'], "INVALID_INPUT: input 'digit': is not valid JSON (give JSON text, a .json file or @file)"],
        [['--input', 'digit=bad.json', '--input', 'note=x'], "INVALID_INPUT: input 'digit': bad.json is not valid JSON"],
        [['--input', 'digit=@nope.json', '--input', 'note=x'], "INVALID_INPUT: input 'digit': cannot read nope.json"],
        [['--input', 'digit=1', '--input', 'note=@nope.txt'], "INVALID_INPUT: input 'note': cannot read nope.txt"],
      ];
      for (const [flags, message] of cases) {
        const { err, exitCode } = await runCli(['run', '--pipeline', 'p.yaml', ...flags]);
        expect(exitCode, flags.join(' ')).toBe(1);
        expect(err).toContain(message);
        expect(err).not.toContain('INTERNAL');
        expect(err).not.toContain(root);
      }
    } finally {
      process.chdir(cwd);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports a pipeline file error with its location', async () => {
    const { err, exitCode } = await runCli(['run', '--pipeline', `${repo}examples/hybrid-pipeline/nope.yaml`]);
    expect(exitCode).toBe(1);
    expect(err).toContain('PIPELINE_INVALID');
    expect(err).toContain('nope.yaml: cannot read pipeline file');
  });
});

describe('switchyard route calibrate', () => {
  it('picks a threshold for the requested large-model share', async () => {
    const { out, exitCode, err } = await runCli(['route', 'calibrate', '--large-share', '0.2', '--json', `${repo}examples/hybrid-pipeline/prompts.jsonl`]);
    expect(exitCode, err).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ sampleSize: 10, achievedShare: 0.2, largeShare: 0.2, classifier: 'rules' });
    expect(result.threshold).toBeGreaterThan(0);
  });

  it('rejects a share outside 0..1', async () => {
    const { err, exitCode } = await runCli(['route', 'calibrate', '--large-share', '2', `${repo}examples/hybrid-pipeline/prompts.jsonl`]);
    expect(exitCode).toBe(1);
    expect(err).toContain('INVALID_INPUT: --large-share must be between 0 and 1, found 2');
  });
});
