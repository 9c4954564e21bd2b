import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';

/**
 * `manifest.json` of a `.xyb` bundle, field for field as xybrid-core's `BundleManifest` (crates/xybrid-core/src/
 * bundler.rs): the field order matters, the bundle hash covers the manifest serialised in this order.
 */
export interface XybManifest {
  readonly model_id: string;
  readonly version: string;
  /** Platform the bundle was built for (`x86_64-linux`, `universal`...). */
  readonly target: string;
  /** sha256 (hex) over the sorted files (path bytes, then contents) and this manifest with `hash: ""`. */
  readonly hash: string;
  /** Every file in the bundle besides manifest.json, relative paths. */
  readonly files: readonly string[];
  readonly has_metadata: boolean;
}

/** The manifest as serde_json::to_vec writes it (compact, declaration order), with `hash` emptied. */
function manifestBytesForHash(manifest: XybManifest): Buffer {
  const ordered = {
    model_id: manifest.model_id,
    version: manifest.version,
    target: manifest.target,
    hash: '',
    files: manifest.files,
    has_metadata: manifest.has_metadata,
  };
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

/**
 * xybrid's bundle hash: sha256 over the files sorted by path (each path's UTF-8 bytes then its contents), then the
 * manifest serialised with an empty hash. Files are read as streams (from `dir`, or through `read`).
 */
export async function computeXybHash(
  dir: string,
  manifest: XybManifest,
  read: (path: string) => AsyncIterable<Uint8Array> = (path) => createReadStream(join(dir, path)),
): Promise<string> {
  const hash = createHash('sha256');
  // Rust sorts Strings by bytes; compare UTF-8 bytes rather than UTF-16 code units.
  const sorted = [...manifest.files].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const path of sorted) {
    hash.update(Buffer.from(path, 'utf8'));
    for await (const chunk of read(path)) hash.update(chunk);
  }
  hash.update(manifestBytesForHash(manifest));
  return hash.digest('hex');
}

/** Reads a parsed manifest.json; returns the problem or the manifest. */
export function parseXybManifest(json: unknown): { manifest: XybManifest } | { problem: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { problem: 'manifest.json must be a JSON object' };
  const m = json as Record<string, unknown>;
  for (const field of ['model_id', 'version', 'target', 'hash'] as const) {
    if (typeof m[field] !== 'string') return { problem: `manifest.json /${field} must be a string (found ${JSON.stringify(m[field]) ?? 'nothing'})` };
  }
  const files = m.files ?? [];
  if (!Array.isArray(files) || files.some((f) => typeof f !== 'string')) return { problem: 'manifest.json /files must be an array of strings' };
  const hasMetadata = m.has_metadata ?? false;
  if (typeof hasMetadata !== 'boolean') return { problem: 'manifest.json /has_metadata must be a boolean' };
  if (!/^[0-9a-f]{64}$/.test(m.hash as string)) return { problem: `manifest.json /hash must be 64 lowercase hex digits (found ${JSON.stringify(m.hash)})` };
  return {
    manifest: { model_id: m.model_id as string, version: m.version as string, target: m.target as string, hash: m.hash as string, files: files as string[], has_metadata: hasMetadata },
  };
}
