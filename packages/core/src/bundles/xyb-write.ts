import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compress, init } from '@bokuweb/zstd-wasm';
import { packTar } from 'modern-tar';
import { SwitchyardError } from '@switchyard/spec';
import { ModelProvisioner, type ModelProvisionerOptions } from '../provisioning/model-provisioner.js';
import { parseModelMetadata } from '../template-executor/metadata-validator.js';
import { computeXybHash, type XybManifest } from './xyb-manifest.js';

export interface WriteXybOptions {
  /** Manifest `target` (xybrid: the platform triple the bundle is for). Default `universal`. */
  readonly target?: string;
  /** zstd level (xybrid uses 3). */
  readonly level?: number;
  readonly provisioner?: ModelProvisionerOptions;
}

let zstdReady: Promise<void> | undefined;

/** zstd-compresses bytes (the WASM module is initialised once per process; a copy leaves its memory). */
export async function zstdCompress(bytes: Uint8Array, level = 3): Promise<Uint8Array> {
  zstdReady ??= init();
  await zstdReady;
  return compress(bytes, level).slice();
}

/**
 * Writes a model folder as a `.xyb` bundle in xybrid's layout: a zstd-compressed tar whose first entry is
 * manifest.json ({model_id, version, target, hash, files, has_metadata}), then model_metadata.json and every file
 * it lists, under its logical name. Files that come from `sources` (npm, path, url) are resolved, verified and
 * packed, and their `sources` entries dropped from the packed metadata: the bundle is self-contained.
 */
export async function writeXybBundle(modelDir: string, outFile: string, options: WriteXybOptions = {}): Promise<XybManifest> {
  const dir = resolve(modelDir);
  const metadataFile = join(dir, 'model_metadata.json');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(metadataFile, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new SwitchyardError({ code: 'METADATA_INVALID', message: `${metadataFile}: cannot read model_metadata.json (${(cause as Error).message})`, details: { file: metadataFile }, cause });
  }
  const metadata = parseModelMetadata(json, { file: metadataFile });
  const { files } = await new ModelProvisioner({ appDir: dir, ...options.provisioner }).resolve(dir, json);
  const packed = { ...json };
  delete packed.sources;
  const contents = new Map<string, Uint8Array>([['model_metadata.json', Buffer.from(`${JSON.stringify(packed, null, 2)}\n`)]]);
  for (const [name, path] of Object.entries(files)) contents.set(name, new Uint8Array(await readFile(path)));
  const unsigned: XybManifest = { model_id: metadata.model_id, version: metadata.version, target: options.target ?? 'universal', hash: '', files: [...contents.keys()], has_metadata: true };
  const hash = await computeXybHash(dir, unsigned, async function* (name) {
    yield contents.get(name)!;
  });
  const manifest: XybManifest = { ...unsigned, hash };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const tar = await packTar([
    { header: { name: 'manifest.json', size: manifestBytes.length, type: 'file', mode: 0o644, mtime: new Date(0) }, body: manifestBytes },
    ...[...contents].map(([name, body]) => ({ header: { name, size: body.length, type: 'file' as const, mode: 0o644, mtime: new Date(0) }, body })),
  ]);
  await writeFile(outFile, await zstdCompress(tar, options.level ?? 3));
  return manifest;
}
