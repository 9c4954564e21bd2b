import type { ErrorObject } from 'ajv';
import type { MetadataIssue } from './metadata-invalid-error.js';

type Schema = Record<string, unknown>;

/** A short description of a JSON value for "found ...". */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A short description of what a (sub)schema accepts, for "expected ...". */
export function describeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'a value';
  const s = schema as Schema;
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(' | ')}`;
  if (typeof s.$ref === 'string') return s.$ref.split('/').pop() ?? 'a value';
  const type = Array.isArray(s.type) ? s.type.join(' or ') : typeof s.type === 'string' ? s.type : 'a value';
  const bounds: string[] = [];
  if (typeof s.exclusiveMinimum === 'number') bounds.push(`> ${s.exclusiveMinimum}`);
  if (typeof s.minimum === 'number') bounds.push(`>= ${s.minimum}`);
  if (typeof s.exclusiveMaximum === 'number') bounds.push(`< ${s.exclusiveMaximum}`);
  if (typeof s.maximum === 'number') bounds.push(`<= ${s.maximum}`);
  if (typeof s.minLength === 'number' && s.minLength > 0) bounds.push('non-empty');
  if (typeof s.minItems === 'number' && s.minItems > 0) bounds.push(`with >= ${s.minItems} item(s)`);
  return [type, ...bounds].join(' ');
}

function propertySchema(parent: unknown, name: string): unknown {
  const props = (parent as Schema | undefined)?.properties as Record<string, unknown> | undefined;
  return props?.[name];
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What a schema pattern means, in words (the provisioner says the same at run time). */
const PATTERN_WORDS: Readonly<Record<string, { message: string; expected: string }>> = {
  '^[0-9a-fA-F]{64}$': { message: 'must be 64 hex digits', expected: 'a sha256 as 64 hex digits' },
  '^https?://': { message: 'must be an http(s) URL', expected: 'a URL starting with https:// or http://' },
};

/**
 * A failed `anyOf` whose value evidently means one of its forms (every field that form requires is there; of several,
 * the one requiring most, e.g. `{npm, path}` over `{path}`) is reported as that form's own errors, once, located on the
 * field: `/sources/m.onnx/sha256 must be 64 hex digits`, not "matches no form" plus the other forms' unknown fields.
 * Without an evident form the one anyOf error stays and the forms' errors (unknown fields included) are dropped.
 */
export function narrowAnyOfErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  let result = [...errors];
  for (const anyOf of errors.filter((e) => e.keyword === 'anyOf')) {
    const forms = ((anyOf.parentSchema as Schema | undefined)?.anyOf as Schema[] | undefined) ?? [];
    const under = (e: ErrorObject): boolean =>
      e !== anyOf && (e.instancePath === anyOf.instancePath || e.instancePath.startsWith(`${anyOf.instancePath}/`)) && e.schemaPath.startsWith(`${anyOf.schemaPath}/`);
    const formOf = (e: ErrorObject): number => Number(e.schemaPath.slice(anyOf.schemaPath.length + 1).split('/')[0]);
    const missesRequired = (i: number): boolean => result.some((e) => under(e) && formOf(e) === i && e.keyword === 'required' && e.instancePath === anyOf.instancePath);
    const candidates = forms.map((form, i) => ({ i, required: ((form.required as string[] | undefined) ?? []).length })).filter(({ i }) => !missesRequired(i));
    const most = Math.max(...candidates.map((c) => c.required));
    const best = candidates.filter((c) => c.required === most);
    if (best.length === 1) {
      const chosen = best[0]!.i;
      result = result.filter((e) => e !== anyOf && !(under(e) && formOf(e) !== chosen));
    } else {
      result = result.filter((e) => !under(e));
    }
  }
  return result;
}

/** Turns one ajv error (verbose mode) into a located issue; undefined drops it (noise). */
function toIssue(file: string, error: ErrorObject, root: Schema): MetadataIssue | undefined {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema;
  switch (error.keyword) {
    case 'required': {
      const name = String(params.missingProperty);
      // A missing tag is reported once, by the discriminator, with the list of known tags.
      if (name === ((parent as Schema | undefined)?.discriminator as Schema | undefined)?.propertyName) return undefined;
      return { file, pointer: `${at}/${escapePointer(name)}`, message: 'is required', expected: describeSchema(propertySchema(parent, name)), found: 'nothing' };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys(((parent as Schema | undefined)?.properties as Schema | undefined) ?? {});
      return { file, pointer: `${at}/${escapePointer(name)}`, message: 'is not a known field here', expected: allowed.length ? `one of ${allowed.join(', ')}` : 'no extra fields', found: JSON.stringify(name) };
    }
    case 'discriminator': {
      const tagName = String(params.tag ?? 'type');
      const options = discriminatorTags(parent, root, tagName);
      if (params.error === 'tag') {
        return { file, pointer: `${at}/${tagName}`, message: 'must be a string tag', expected: options, found: describeFound(error.data && (error.data as Schema)[tagName]) };
      }
      return { file, pointer: `${at}/${tagName}`, message: `is not a known ${tagName} here`, expected: options, found: describeFound(params.tagValue) };
    }
    case 'type':
      return { file, pointer: at, message: `must be ${String(params.type)}`, expected: describeSchema(parent), found: describeFound(error.data) };
    case 'enum':
    case 'const':
      return { file, pointer: at, message: 'is not an allowed value', expected: describeSchema(parent), found: describeFound(error.data) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { file, pointer: at, message: `must be ${String(params.comparison)} ${String(params.limit)}`, expected: describeSchema(parent), found: describeFound(error.data) };
    case 'anyOf':
      return { file, pointer: at, message: 'does not match any allowed form', expected: describeAnyOf(parent), found: describeFound(error.data) };
    case 'pattern': {
      const pattern = String(params.pattern);
      const known = PATTERN_WORDS[pattern];
      return { file, pointer: at, message: known?.message ?? error.message ?? `must match pattern ${pattern}`, expected: known?.expected ?? describeSchema(parent), found: describeFound(error.data) };
    }
    case 'uniqueItems':
      return { file, pointer: at, message: `must not repeat items (items ${String(params.j)} and ${String(params.i)} are equal)`, expected: 'unique items', found: describeFound(error.data) };
    default:
      return { file, pointer: at, message: error.message ?? `fails ${error.keyword}`, expected: describeSchema(parent), found: describeFound(error.data) };
  }
}

function discriminatorTags(parent: unknown, root: Schema, tagName: string): string {
  const tags: string[] = [];
  for (const branch of ((parent as Schema | undefined)?.oneOf as Schema[] | undefined) ?? []) {
    const name = typeof branch.$ref === 'string' ? branch.$ref.split('/').pop() : undefined;
    const def = name ? ((root.$defs as Record<string, Schema>)[name] as Schema | undefined) : branch;
    const tag = (def?.properties as Record<string, Schema> | undefined)?.[tagName];
    if (tag && 'const' in tag) tags.push(String(tag.const));
    if (tag && Array.isArray(tag.enum)) tags.push(...tag.enum.map(String));
  }
  return tags.length ? `one of ${tags.join(' | ')}` : 'a known type';
}

function describeAnyOf(parent: unknown): string {
  const forms = ((parent as Schema | undefined)?.anyOf as Schema[] | undefined) ?? [];
  return forms
    .map((form) => `{${((form.required as string[] | undefined) ?? []).join(', ')}}`)
    .join(' | ');
}

/**
 * All ajv errors -> located issues, without the noise: errors inside a failed `anyOf` are replaced by the one
 * anyOf issue, and duplicates are dropped. Sorted by pointer for stable output.
 */
export function ajvErrorsToIssues(file: string, errors: readonly ErrorObject[], root: Schema): MetadataIssue[] {
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath);
  const issues: MetadataIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && anyOfPaths.some((p) => error.instancePath === p || error.instancePath.startsWith(`${p}/`))) continue;
    const issue = toIssue(file, error, root);
    if (!issue) continue;
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
