import { MetadataInvalidError } from '../template-executor/metadata-invalid-error.js';
import { describeFound } from '../template-executor/metadata-issue-format.js';
import { unsafePathReason } from './path-safety.js';

/** Where one model file comes from (the `sources` extension field of model_metadata.json). */
export type ModelFileSource =
  | { readonly kind: 'npm'; readonly npm: string; readonly path: string; readonly sha256?: string }
  | { readonly kind: 'url'; readonly url: string; readonly sha256?: string }
  | { readonly kind: 'path'; readonly path: string; readonly sha256?: string };

/** The parts of model_metadata.json the provisioner reads, parsed with narrow local types. */
export interface ProvisioningMetadata {
  readonly modelId: string;
  readonly files: readonly string[];
  readonly sources: Readonly<Record<string, ModelFileSource>>;
}

const SHA256 = /^[0-9a-f]{64}$/;
const NPM_NAME = /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]{0,213}$/;

function safePath(where: string, pointer: string, value: string): void {
  const reason = unsafePathReason(value);
  if (reason !== undefined) invalid(where, pointer, `${reason} (found ${JSON.stringify(value.slice(0, 120))})`);
}
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One located issue (the validator's words where it has them), so `run` and `validate` print the same line. */
function invalid(where: string, pointer: string, message: string, detail: { expected?: string; found?: string } = {}): never {
  throw new MetadataInvalidError({ issues: [{ file: where, pointer, message, ...detail }] });
}

/** Reads `model_id`, `files` and `sources` from parsed metadata; `where` names the metadata file in errors. */
export function readProvisioningMetadata(metadata: unknown, where: string): ProvisioningMetadata {
  if (!isRecord(metadata)) return invalid(where, '', 'must be an object');
  const modelId = typeof metadata['model_id'] === 'string' ? metadata['model_id'] : where;
  const files = metadata['files'] ?? [];
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) return invalid(where, '/files', 'must be an array of strings');
  (files as string[]).forEach((file, i) => safePath(where, `/files/${i}`, file));
  const rawSources = metadata['sources'] ?? {};
  if (!isRecord(rawSources)) return invalid(where, '/sources', 'must be an object mapping file -> {npm, path} | {url} | {path}');
  const sources: Record<string, ModelFileSource> = {};
  for (const [file, raw] of Object.entries(rawSources)) {
    const pointer = `/sources/${file.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!isRecord(raw)) return invalid(where, pointer, 'must be an object');
    safePath(where, pointer, file);
    if (typeof raw['path'] === 'string') safePath(where, `${pointer}/path`, raw['path']);
    if (typeof raw['npm'] === 'string' && !NPM_NAME.test(raw['npm'])) return invalid(where, `${pointer}/npm`, `must be an npm package name (found ${JSON.stringify(raw['npm'].slice(0, 120))})`);
    const sha256 = raw['sha256'];
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256.test(sha256.toLowerCase()))) {
      return invalid(where, `${pointer}/sha256`, 'must be 64 hex digits', { expected: 'a sha256 as 64 hex digits', found: describeFound(sha256) });
    }
    const hash = sha256 === undefined ? {} : { sha256: sha256.toLowerCase() };
    if (typeof raw['npm'] === 'string') {
      if (typeof raw['path'] !== 'string') return invalid(where, `${pointer}/path`, 'must be a string (the file inside the npm package)');
      sources[file] = { kind: 'npm', npm: raw['npm'], path: raw['path'], ...hash };
    } else if (typeof raw['url'] === 'string') {
      if (!/^https?:\/\/[^\s]+$/i.test(raw['url'])) return invalid(where, `${pointer}/url`, `must be an http(s) URL (found ${JSON.stringify(raw['url'].slice(0, 120))})`);
      sources[file] = { kind: 'url', url: raw['url'], ...hash };
    } else if (typeof raw['path'] === 'string') {
      sources[file] = { kind: 'path', path: raw['path'], ...hash };
    } else {
      return invalid(where, pointer, 'must have "npm" + "path", "url" or "path"');
    }
  }
  return { modelId, files: files as string[], sources };
}

export function describeSource(source: ModelFileSource | undefined, modelDir: string): string {
  if (!source) return `model dir ${modelDir}`;
  switch (source.kind) {
    case 'npm':
      return `npm package ${source.npm} (${source.path})`;
    case 'url':
      return `url ${source.url}`;
    case 'path':
      return `path ${source.path}`;
  }
}
