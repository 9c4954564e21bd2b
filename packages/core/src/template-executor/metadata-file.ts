import { access, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SwitchyardError } from '../errors/switchyard-error.js';
import { MetadataInvalidError } from './metadata-invalid-error.js';
import { parseModelMetadata } from './metadata-validator.js';
import type { ModelMetadata } from './model-metadata.generated.js';

export interface LoadedMetadataFile {
  readonly file: string;
  readonly dir: string;
  /** Raw JSON as in the file (what engines get as `metadata`). */
  readonly json: unknown;
  /** Validated, defaults applied. */
  readonly metadata: ModelMetadata;
  /** Logical file name -> absolute path next to the metadata file (each checked to exist). */
  readonly files: Readonly<Record<string, string>>;
}

/** Reads, parses and validates a model_metadata.json and resolves its `files` relative to it. */
export async function loadModelMetadataFile(path: string): Promise<LoadedMetadataFile> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `Cannot read model metadata ${path}`, details: { file: path }, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new MetadataInvalidError({ issues: [{ file: path, pointer: '', message: `is not valid JSON: ${(cause as Error).message}` }], cause });
  }
  const metadata = parseModelMetadata(json, { file: path });
  const dir = dirname(file);
  const files: Record<string, string> = {};
  for (const name of metadata.files ?? []) {
    const location = resolve(dir, name);
    try {
      await access(location);
    } catch (cause) {
      throw new SwitchyardError({
        code: 'ARTIFACT_NOT_FOUND',
        message: `${path}: file '${name}' listed in /files does not exist at ${location}`,
        details: { file: path, name, path: location },
        cause,
      });
    }
    files[name] = location;
  }
  return { file, dir, json, metadata, files };
}
