import type { ErrorObject } from 'ajv';
import type { ConfigSource } from './config-source.js';
import { encodePointer } from './config-source.js';
import type { ConfigIssue } from './config-types.js';

export interface IssueContext {
  readonly file: string;
  readonly source?: ConfigSource;
  /** Pointer of the validated value inside the file (e.g. `/plugins/2/options` for plugin options). */
  readonly basePointer?: string;
  /** Pointers whose string values came from the environment (never echoed). */
  readonly secretPointers?: ReadonlySet<string>;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** `string "abc"`, `integer 42`, `object`, ... short enough for one line. */
function describe(value: unknown, secret: boolean): string {
  const type = typeName(value);
  if (secret) return `${type} (from environment, value hidden)`;
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${type} ${String(value)}`;
  return type;
}

function listOf(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** Turns one ajv error into expected/found wording, or undefined for errors that only repeat another. */
function explain(error: ErrorObject, secret: boolean): { pointer: string; key?: boolean; expected: string; found: string } | undefined {
  const found = describe(error.data, secret);
  const params = error.params as Record<string, unknown>;
  const parentProperties = Object.keys(((error.parentSchema as Record<string, unknown> | undefined)?.properties as object | undefined) ?? {});
  switch (error.keyword) {
    case 'if':
    case 'anyOf':
    case 'oneOf':
      return undefined;
    case 'type':
      return { pointer: error.instancePath, expected: String(params.type).replace(/,/g, ' or '), found };
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const allowed = parentProperties.length > 0 ? `one of the known keys (${parentProperties.join(', ')})` : 'no additional keys';
      return { pointer: `${error.instancePath}${encodePointer([extra])}`, key: true, expected: allowed, found: `unknown key "${extra}"` };
    }
    case 'required':
      return { pointer: error.instancePath, expected: `property "${String(params.missingProperty)}"`, found: `${found} without it` };
    case 'enum':
      return { pointer: error.instancePath, expected: `one of ${listOf(params.allowedValues as unknown[])}`, found };
    case 'const':
      return { pointer: error.instancePath, expected: JSON.stringify(params.allowedValue), found };
    case 'pattern': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return { pointer: error.instancePath, expected: description ? `${description.replace(/\.$/, '')}` : `a string matching ${String(params.pattern)}`, found };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer: error.instancePath, expected: `a number ${String(params.comparison)} ${String(params.limit)}`, found };
    case 'minLength':
      return { pointer: error.instancePath, expected: `a string of at least ${String(params.limit)} character(s)`, found };
    case 'maxLength':
      return { pointer: error.instancePath, expected: `a string of at most ${String(params.limit)} character(s)`, found };
    case 'minItems':
      return { pointer: error.instancePath, expected: `at least ${String(params.limit)} item(s)`, found: `${(error.data as unknown[]).length} item(s)` };
    case 'maxItems':
      return { pointer: error.instancePath, expected: `at most ${String(params.limit)} item(s)`, found: `${(error.data as unknown[]).length} item(s)` };
    case 'format':
      return { pointer: error.instancePath, expected: `a ${String(params.format)} string`, found };
    default:
      return { pointer: error.instancePath, expected: error.message ?? error.keyword, found };
  }
}

/** Maps ajv errors to located issues (`file:line:col: /pointer: expected X, found Y`), deduplicated. */
export function toConfigIssues(errors: readonly ErrorObject[], context: IssueContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const base = context.basePointer ?? '';
  for (const error of errors) {
    const filePointer = `${base}${error.instancePath}`;
    const secret = context.secretPointers?.has(filePointer) ?? false;
    const explained = explain(error, secret);
    if (!explained) continue;
    const pointer = `${base}${explained.pointer}`;
    const message = `expected ${explained.expected}, found ${explained.found}`;
    const id = `${pointer}\u0000${message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const position = context.source?.locate(pointer, { key: explained.key ?? false });
    issues.push({
      file: context.file,
      pointer: pointer || '/',
      message,
      expected: explained.expected,
      found: explained.found,
      ...(position ? { line: position.line, column: position.column } : {}),
    });
  }
  return issues;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where}: ${issue.pointer}: ${issue.message}`;
}

