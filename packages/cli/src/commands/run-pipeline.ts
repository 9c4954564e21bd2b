import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CONFIG_FILE_NAMES,
  Orchestrator,
  SwitchyardError,
  createSwitchyardApp,
  loadPipelineFile,
  runPipeline,
  type CompiledPipeline,
  type PipelineRunResult,
} from '@switchyard/core';
import { StateStore } from '@switchyard/store';
import { cliLogger } from '../cli-logger.js';
import { createAppFromConfig } from '../config-app.js';
import { print, printError } from '../output.js';
import { nonEmpty } from '../repeatable-option.js';

export interface RunPipelineFlags {
  readonly pipeline: string;
  readonly config?: string;
  readonly input?: readonly string[];
  readonly json?: boolean;
  readonly tasksDir?: string;
}

/** Adds `--pipeline`, `--config` and repeatable `--input name=value` to the run command. */
export function addPipelineOptions(command: Command): Command {
  return command
    .option('--pipeline <file>', 'run a pipeline file (YAML/JSON, schemas/pipeline.schema.json) instead of one model', nonEmpty)
    .option('-c, --config <path>', 'app config (default: next to the --pipeline file, then the current directory)', nonEmpty)
    .option('--input <name=value...>', 'pipeline input: a file path for image/audio inputs, text (or @file) for text inputs')
    .option('--tasks-dir <dir>', 'record the run in a durable task store (<dir>/state.db, the server\'s state format); reports runs left in flight', nonEmpty);
}

/** Config next to the pipeline file, else in the cwd, else none (an empty app); a found one relative to the cwd, as named. */
function findConfig(pipelineFile: string, explicit?: string): string | undefined {
  if (explicit) return explicit;
  for (const dir of [dirname(resolve(pipelineFile)), process.cwd()]) {
    if (CONFIG_FILE_NAMES.some((name: string) => existsSync(join(dir, name)))) return relative(process.cwd(), dir) || '.';
  }
  return undefined;
}

async function readInputs(pipeline: CompiledPipeline, pairs: readonly string[], positional?: string): Promise<Record<string, unknown>> {
  const specs = pipeline.definition.inputs ?? {};
  const raw: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SwitchyardError({ code: 'INVALID_INPUT', message: `--input expects name=value, found '${pair}'`, details: { field: '--input', found: pair } });
    raw[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const names = Object.keys(specs);
  if (positional !== undefined) {
    const free = names.filter((n) => raw[n] === undefined);
    if (free.length !== 1) {
      throw new SwitchyardError({ code: 'INVALID_INPUT', message: `a positional input needs exactly one unset pipeline input (pipeline inputs: ${names.join(', ') || 'none'}); use --input name=value`, details: { field: 'input' } });
    }
    raw[free[0]!] = positional;
  }
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    const kind = specs[name]?.kind ?? 'text';
    const readBytes = async (path: string) => {
      try {
        return new Uint8Array(await readFile(path));
      } catch (error) {
        throw new SwitchyardError({ code: 'INVALID_INPUT', message: `input '${name}': cannot read ${path}: ${(error as Error).message}`, details: { field: name, file: path }, cause: error });
      }
    };
    // `@file` (or, for json, a path ending in .json) reads the file; otherwise the value itself is the input.
    const readText = async (path: string) => new TextDecoder().decode(await readBytes(path));
    if (kind === 'image') out[name] = { kind: 'image', data: await readBytes(value) };
    else if (kind === 'audio') out[name] = await readBytes(value);
    else if (kind === 'json') {
      const fromFile = value.startsWith('@') ? value.slice(1) : value.toLowerCase().endsWith('.json') ? value : undefined;
      const text = fromFile !== undefined ? await readText(fromFile) : value;
      try {
        out[name] = JSON.parse(text);
      } catch (error) {
        const what = fromFile !== undefined ? `${fromFile} is not valid JSON` : 'is not valid JSON (give JSON text, a .json file or @file)';
        throw new SwitchyardError({ code: 'INVALID_INPUT', message: `input '${name}': ${what}: ${(error as Error).message}`, details: { field: name, expected: 'JSON', ...(fromFile !== undefined ? { file: fromFile } : {}) }, cause: error });
      }
    } else out[name] = value.startsWith('@') ? await readText(value.slice(1)) : value;
  }
  return out;
}

/** Human summary: each stage's status and where it ran, then the output text. */
export function formatPipelineResult(result: PipelineRunResult): { summary: string; output: string } {
  const lines = Object.values(result.stages).map((s) => {
    const where = s.decision ? ` on ${s.decision.engine}:${s.decision.model} (${s.decision.target}, ${s.decision.source}: ${s.decision.reason})` : '';
    const tried = s.attempts && s.attempts.length > 1 ? `; tried ${s.attempts.map((a) => `${a.engine}${a.error ? ` [${a.error}]` : ''}`).join(' -> ')}` : '';
    const why = s.error ? ` — ${s.error.code}: ${s.error.message}` : s.reason ? ` — ${s.reason}` : '';
    return `  ${s.status.padEnd(9)} ${s.id}${where}${tried}${why}`;
  });
  const failed = Object.values(result.stages).filter((s) => s.status === 'failed');
  const notes = failed.length && result.output
    ? [`note: ${failed.map((s) => `'${s.id}'`).join(', ')} failed (see above); the output below comes from stage '${result.output.id}'`]
    : [];
  return { summary: [`pipeline ${result.pipeline} (run ${result.runId})`, ...lines, ...notes].join('\n'), output: result.output?.text ?? '' };
}

/** `switchyard run --pipeline file.yaml [input]`. */
export async function runPipelineCommand(command: Command, flags: RunPipelineFlags, positional?: string): Promise<void> {
  // As typed (relative to the current folder): its errors name the file the user gave, never an absolute server path.
  const pipeline = await loadPipelineFile(flags.pipeline);
  const inputs = await readInputs(pipeline, flags.input ?? [], positional);
  const configPath = findConfig(flags.pipeline, flags.config);
  // The app's warnings are `warning: ...` lines on stderr, as in every command that runs and exits.
  const logger = cliLogger(command);
  const app = configPath ? (await createAppFromConfig(configPath, { logger })).app : await createSwitchyardApp({ config: {}, logger });
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let tasks: StateStore | undefined;
  try {
    const orchestrator = app.orchestrator;
    if (!(orchestrator instanceof Orchestrator)) {
      throw new SwitchyardError({ code: 'UNSUPPORTED', message: 'this app has no Switchyard orchestrator registered (TOKENS.Orchestrator)' });
    }
    tasks = flags.tasksDir ? new StateStore({ dataDir: resolve(flags.tasksDir) }) : undefined;
    const interrupted = (await tasks?.recover()) ?? [];
    if (interrupted.length > 0) {
      printError(command, `note: ${interrupted.length} task(s) were in flight when the last process stopped: ${interrupted.map((t) => `${t.id} (${t.kind}, ${t.state} since ${t.updatedAt})`).join(', ')}`);
    }
    const result = await runPipeline(orchestrator, pipeline, { inputs, signal: controller.signal, ...(tasks ? { tasks } : {}) });
    if (flags.json) {
      print(command, JSON.stringify(result, (key, value: unknown) => (value instanceof Uint8Array ? `<${value.length} bytes>` : key === 'output' && value && typeof value === 'object' && 'tensors' in value ? '<tensors>' : value), 2));
      return;
    }
    const { summary, output } = formatPipelineResult(result);
    printError(command, summary);
    print(command, output || '(no output)');
  } finally {
    process.off('SIGINT', onSigint);
    tasks?.close();
    await app.shutdown();
  }
}
