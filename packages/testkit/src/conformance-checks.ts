import { SwitchyardError } from '@switchyard/spec';
import type { EngineRunResult, EngineStreamPart, EngineV1, ErrorCode } from '@switchyard/spec';

const WORKLOADS = new Set(['completion', 'embedding', 'inference', 'transcription', 'stream']);
const TARGETS = new Set(['local', 'edge', 'cloud']);
const FINISH_REASONS = new Set(['stop', 'length', 'abort', 'error', 'content-filter', 'other']);
const OUTPUT_KINDS = new Set(['text', 'embeddings', 'tensors', 'json']);
const METHODS = ['doLoad', 'doRun', 'doStream', 'doUnload', 'health'] as const;

/** Problems with an engine's static contract (empty when it conforms). Pure, so it can be tested on bad engines. */
export function checkEngineShape(engine: unknown): string[] {
  const problems: string[] = [];
  if (typeof engine !== 'object' || engine === null) return ['engine is not an object'];
  const e = engine as Record<string, unknown>;
  if (e.specificationVersion !== 'v1') problems.push(`specificationVersion must be 'v1', found ${JSON.stringify(e.specificationVersion)}`);
  if (typeof e.id !== 'string' || e.id.length === 0) problems.push(`id must be a non-empty string, found ${JSON.stringify(e.id)}`);
  for (const method of METHODS) {
    if (typeof e[method] !== 'function') problems.push(`${method} must be a function`);
  }
  const caps = e.capabilities as Record<string, unknown> | undefined;
  if (typeof caps !== 'object' || caps === null) {
    problems.push('capabilities must be an object');
    return problems;
  }
  if (!Array.isArray(caps.workloads) || caps.workloads.length === 0) problems.push('capabilities.workloads must be a non-empty array');
  else for (const w of caps.workloads) if (!WORKLOADS.has(w as string)) problems.push(`capabilities.workloads has unknown workload ${JSON.stringify(w)}`);
  if (!Array.isArray(caps.targets) || caps.targets.length === 0) problems.push('capabilities.targets must be a non-empty array');
  else for (const t of caps.targets) if (!TARGETS.has(t as string)) problems.push(`capabilities.targets has unknown target ${JSON.stringify(t)}`);
  if (!Array.isArray(caps.features) || caps.features.some((f) => typeof f !== 'string')) problems.push('capabilities.features must be an array of strings');
  if (caps.contextWindow !== undefined && !(typeof caps.contextWindow === 'number' && caps.contextWindow > 0)) {
    problems.push(`capabilities.contextWindow must be a positive number, found ${JSON.stringify(caps.contextWindow)}`);
  }
  return problems;
}

/**
 * Problems with the answer to a chat (`input.messages`) completion: it must be a well-formed text result and not
 * empty. An engine that reads only `input.prompt` typically answers a chat with '' or INVALID_INPUT.
 */
export function checkChatResult(result: unknown): string[] {
  const problems = checkRunResult(result);
  if (problems.length > 0) return problems;
  const output = (result as EngineRunResult).output;
  if (output.kind !== 'text') return [`a completion must answer with output.kind 'text', found ${JSON.stringify(output.kind)}`];
  if (output.text.length === 0) return ['the answer to a messages request is empty: does the engine read input.messages, or only input.prompt?'];
  return [];
}

/** Problems with a doRun result. */
export function checkRunResult(result: unknown): string[] {
  if (typeof result !== 'object' || result === null) return ['result is not an object'];
  const r = result as EngineRunResult;
  const problems: string[] = [];
  if (typeof r.output !== 'object' || r.output === null || !OUTPUT_KINDS.has(r.output.kind)) {
    problems.push(`output.kind must be one of ${[...OUTPUT_KINDS].join('/')}, found ${JSON.stringify((r.output as { kind?: unknown } | undefined)?.kind)}`);
  }
  if (r.finishReason !== undefined && !FINISH_REASONS.has(r.finishReason)) problems.push(`finishReason ${JSON.stringify(r.finishReason)} is not a FinishReason`);
  if (r.usage !== undefined) problems.push(...checkUsage(r.usage, 'usage'));
  return problems;
}

function checkUsage(usage: unknown, where: string): string[] {
  if (typeof usage !== 'object' || usage === null) return [`${where} must be an object`];
  const problems: string[] = [];
  for (const key of ['inputTokens', 'outputTokens', 'totalTokens', 'costUsd'] as const) {
    const value = (usage as Record<string, unknown>)[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      problems.push(`${where}.${key} must be a non-negative number, found ${JSON.stringify(value)}`);
    }
  }
  return problems;
}

/** Problems with a completed stream: starts with `start`, ends with exactly one `finish`, nothing after it. */
export function checkStreamParts(parts: readonly EngineStreamPart[], modelId: string): string[] {
  const problems: string[] = [];
  if (parts.length === 0) return ['the stream yielded no parts'];
  const first = parts[0]!;
  if (first.type !== 'start') problems.push(`first part must be 'start', found '${first.type}'`);
  else if (first.modelId !== modelId) problems.push(`start.modelId must be '${modelId}', found '${first.modelId}'`);
  const finishes = parts.filter((p) => p.type === 'finish');
  if (finishes.length !== 1) problems.push(`expected exactly one 'finish' part, found ${finishes.length}`);
  const last = parts[parts.length - 1]!;
  if (last.type !== 'finish') problems.push(`last part must be 'finish', found '${last.type}'`);
  else {
    if (!FINISH_REASONS.has(last.finishReason)) problems.push(`finish.finishReason ${JSON.stringify(last.finishReason)} is not a FinishReason`);
    problems.push(...checkUsage(last.usage, 'finish.usage'));
  }
  const errors = parts.filter((p) => p.type === 'error');
  if (errors.length > 0) problems.push(`a successful stream must not contain 'error' parts (found ${errors.length})`);
  if (!parts.some((p) => p.type === 'delta')) problems.push("the stream yielded no 'delta' parts");
  return problems;
}

/** Problems with an error an engine threw (or emitted): must be a SwitchyardError, optionally with one of `codes`. */
export function checkSwitchyardError(error: unknown, codes?: readonly ErrorCode[]): string[] {
  if (error === undefined) return ['expected an error, but the call succeeded'];
  if (!SwitchyardError.isInstance(error)) {
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return [`expected a SwitchyardError, found ${name}`];
  }
  if (typeof error.code !== 'string' || error.code.length === 0) return ['the SwitchyardError has no code'];
  if (codes && codes.length > 0 && !codes.includes(error.code)) return [`expected code ${codes.join(' or ')}, found ${error.code} (${error.message})`];
  return [];
}

/** Counts process.getActiveResourcesInfo() by resource type. */
export function snapshotActiveResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** Resource types that grew between two snapshots, e.g. `TCPSocketWrap: 1 -> 3`. */
export function diffActiveResources(
  before: Map<string, number>,
  after: Map<string, number>,
  ignore: readonly string[] = [],
  allowance: Readonly<Record<string, number>> = {},
): string[] {
  const grown: string[] = [];
  for (const [type, count] of after) {
    if (ignore.includes(type)) continue;
    const was = (before.get(type) ?? 0) + (allowance[type] ?? 0);
    if (count > was) grown.push(`${type}: ${was} -> ${count}`);
  }
  return grown;
}
