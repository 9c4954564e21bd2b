import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isXybPath, openXybBundle, type OpenXybOptions } from '../bundles/xyb-bundle.js';
import { SwitchyardError } from '@switchyard/spec';
import { ModelProvisioner, type ModelProvisionerOptions } from '../provisioning/model-provisioner.js';
import type { MetadataIssue } from './metadata-invalid-error.js';
import { parseMetadataJson, refuseMetadataFolder } from './metadata-json.js';
import { parseModelMetadata } from './metadata-validator.js';
import type { ModelMetadata } from './model-metadata.generated.js';

export interface ReadMetadataFile {
  /** The model_metadata.json read (inside the extracted bundle for a `.xyb`). */
  readonly file: string;
  /** What messages call the file: the path as given (pointing at the model_metadata.json in a folder or bundle). */
  readonly shown: string;
  /** The model folder. */
  readonly dir: string;
  /** Raw JSON as in the file (what engines get as `metadata`). */
  readonly json: unknown;
  /** Validated, defaults applied. */
  readonly metadata: ModelMetadata;
}

export interface LoadedMetadataFile extends ReadMetadataFile {
  /** Logical file name -> absolute, verified path (model dir or `sources`). */
  readonly files: Readonly<Record<string, string>>;
}

export interface ReadMetadataFileOptions {
  readonly bundles?: OpenXybOptions;
  /** Unknown fields are errors, not warnings. */
  readonly strict?: boolean;
  readonly onWarning?: (issue: MetadataIssue) => void;
}

/**
 * Reads, parses and validates a model_metadata.json (schema, rules, step chain) without touching its files. A model
 * folder or a `.xyb` bundle works too: the bundle is opened (verified, extracted once into the bundle cache).
 */
export async function readModelMetadataFile(path: string, options: ReadMetadataFileOptions = {}): Promise<ReadMetadataFile> {
  let file = resolve(path);
  // What messages call the file: as given, pointing at the model_metadata.json inside a folder or bundle.
  let shown = path;
  if (isXybPath(file)) {
    const bundle = await openXybBundle(file, options.bundles);
    if (!bundle.manifest.has_metadata || !existsSync(join(bundle.dir, 'model_metadata.json'))) {
      throw new SwitchyardError({ code: 'BUNDLE_INVALID', message: `${basename(file)}: has no model_metadata.json (has_metadata is false), so it cannot run here`, details: { file: basename(file) } });
    }
    file = join(bundle.dir, 'model_metadata.json');
    shown = `${path}/model_metadata.json`;
  } else if (existsSync(join(file, 'model_metadata.json'))) {
    file = join(file, 'model_metadata.json');
    shown = join(path, 'model_metadata.json');
  }
  refuseMetadataFolder(file, shown);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `Cannot read model metadata ${shown}`, details: { file: shown }, cause });
  }
  const json = parseMetadataJson(text, shown);
  const metadata = parseModelMetadata(json, { file: shown, strict: options.strict ?? false, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  return { file, shown, dir: dirname(file), json, metadata };
}

/** readModelMetadataFile, then resolves and sha256-checks its `files` relative to it. */
export async function loadModelMetadataFile(
  path: string,
  options: ReadMetadataFileOptions & { provisioner?: ModelProvisionerOptions; signal?: AbortSignal } = {},
): Promise<LoadedMetadataFile> {
  const read = await readModelMetadataFile(path, options);
  // Files resolve like any model folder: next to the metadata, or from `sources` (npm package, path, url) with sha256.
  const { files } = await new ModelProvisioner({ appDir: read.dir, ...options.provisioner }).resolve(read.dir, read.json, options.signal, undefined, read.shown);
  return { ...read, files };
}
