import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { PluginLogger } from '@switchyard/spec';
import { resolveModelDir, type ModelRegistry, type RegisteredModel } from '../executor/model-catalog.js';
import { formatMetadataIssue, MetadataInvalidError } from '../template-executor/metadata-invalid-error.js';
import { parseMetadataJson } from '../template-executor/metadata-json.js';

/** What codegen writes into each entry of a generated registry besides what the executor reads. */
interface GeneratedRegistryEntry extends RegisteredModel {
  /** sha256 (hex) of the model_metadata.json codegen read. */
  readonly metadataSha256?: string;
}

/** The entry that runs instead of a stale one: the interpreter on the file as it is now (no generated pipeline). */
function interpretedEntry(entry: RegisteredModel, metadata: unknown): RegisteredModel {
  const { pipeline: _pipeline, loadPipeline: _loadPipeline, ...located } = entry;
  return { ...located, metadata };
}

/**
 * Compares a generated entry's `metadataSha256` with the model_metadata.json in its folder or pack. Undefined when
 * they agree, or there is nothing to compare (no hash: an older or hand-written registry; a `.xyb` bundle, opened
 * only when the model loads; a folder or pack that is not there, which fails the load with its own error).
 */
function staleReplacement(entry: GeneratedRegistryEntry, baseDir: string, logger: PluginLogger): RegisteredModel | undefined {
  if (typeof entry.metadataSha256 !== 'string' || entry.bundle !== undefined) return undefined;
  let text: Buffer;
  let shown: string;
  try {
    const dir = resolveModelDir(entry, baseDir);
    if (dir === undefined) return undefined;
    const file = join(dir, 'model_metadata.json');
    text = readFileSync(file);
    shown = entry.package !== undefined ? `${entry.package}/model_metadata.json` : relative(baseDir, file).split(sep).join('/');
  } catch {
    return undefined;
  }
  if (createHash('sha256').update(text).digest('hex') === entry.metadataSha256) return undefined;
  const stale = `generated registry is stale for '${entry.id}' (${shown} changed since codegen): run \`npx switchyard codegen\``;
  try {
    const metadata = parseMetadataJson(text.toString('utf8'), shown);
    logger.warn({ model: entry.id, file: shown }, `${stale}; until then the model runs interpreted, as the file says now`);
    return interpretedEntry(entry, metadata);
  } catch (error) {
    if (!MetadataInvalidError.isInstance(error)) throw error;
    logger.warn({ model: entry.id, file: shown }, `${stale}; the model fails to load until the file is fixed: ${error.issues.map(formatMetadataIssue).join('; ')}`);
    // Its load fails with the located error, as a folder model's bad JSON does (the provisioner reads the old files list).
    return { ...interpretedEntry(entry, entry.metadata), loadPipeline: () => Promise.reject(error) };
  }
}

/**
 * The app's generated registry with every stale entry (its model_metadata.json changed since codegen) replaced by
 * one the interpreter runs from the file as it is now, each named in a warning through the app's logger. Checked
 * once, at app start.
 */
export function interpretStaleEntries(registry: ModelRegistry, baseDir: string, logger: PluginLogger): ModelRegistry {
  const replaced = new Map<string, RegisteredModel>();
  for (const entry of registry.list()) {
    const replacement = staleReplacement(entry, baseDir, logger);
    if (replacement) replaced.set(entry.id, replacement);
  }
  if (replaced.size === 0) return registry;
  return {
    list: () => registry.list().map((entry) => replaced.get(entry.id) ?? entry),
    get: (id) => replaced.get(id) ?? registry.get(id),
  };
}
