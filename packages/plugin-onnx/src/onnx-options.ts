import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { SwitchyardError } from '@switchyard/spec';
import type { JsonSchema } from '@switchyard/spec';

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** Options of the ONNX plugin (config `plugins: [{ name: '@switchyard/plugin-onnx', options }]`). */
export interface OnnxPluginOptions {
  /** Engine id registered with the app; default `onnx`. */
  readonly engineId?: string;
  /** Execution providers in preference order; default `['cpu']`. One that is not present is an error, never a silent switch. */
  readonly executionProviders?: readonly string[];
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: GraphOptimizationLevel;
  /** Most sessions kept in the cache (idle ones are released least-recently-used first); default 16. */
  readonly sessionCacheSize?: number;
  /** Run each loaded session once on zero-filled inputs (static shapes only) so the first real call is not slower. */
  readonly warmup?: boolean;
}

/** OnnxPluginOptions with defaults applied. */
export interface ResolvedOnnxOptions {
  readonly engineId: string;
  readonly executionProviders: readonly string[];
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  readonly sessionCacheSize: number;
  readonly warmup: boolean;
}

/** The session options a model can set for itself too (config `models.overrides.<id>.options`), without defaults. */
const sessionOptionProperties = {
  executionProviders: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    minItems: 1,
    description: 'Execution providers in preference order (cpu, cuda, tensorrt, webgpu, coreml, dml...).',
  },
  intraOpNumThreads: { type: 'integer', minimum: 0 },
  interOpNumThreads: { type: 'integer', minimum: 0 },
  graphOptimizationLevel: { enum: ['disabled', 'basic', 'extended', 'all'] },
} as const;

export const onnxOptionsSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'OnnxPluginOptions',
  type: 'object',
  additionalProperties: false,
  properties: {
    engineId: { type: 'string', minLength: 1, default: 'onnx' },
    ...sessionOptionProperties,
    executionProviders: { ...sessionOptionProperties.executionProviders, default: ['cpu'] },
    graphOptimizationLevel: { ...sessionOptionProperties.graphOptimizationLevel, default: 'all' },
    sessionCacheSize: { type: 'integer', minimum: 1, default: 16 },
    warmup: { type: 'boolean', default: false },
  },
};

/**
 * The per-model options (config `models.overrides.<id>.options`): the session subset of the plugin's options, no
 * defaults (a key left out keeps the plugin's value, or the model metadata's `config.onnx`). Any other key is refused.
 */
export const onnxModelOptionsSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'OnnxModelOptions',
  type: 'object',
  additionalProperties: false,
  properties: sessionOptionProperties,
};

/** The keys of onnxModelOptionsSchema, in its order. */
export const ONNX_MODEL_OPTION_KEYS = Object.keys(sessionOptionProperties) as readonly (keyof typeof sessionOptionProperties)[];

export function resolveOnnxOptions(options: OnnxPluginOptions = {}): ResolvedOnnxOptions {
  const resolved: ResolvedOnnxOptions = {
    engineId: options.engineId ?? 'onnx',
    executionProviders: options.executionProviders?.length ? options.executionProviders : ['cpu'],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    sessionCacheSize: options.sessionCacheSize ?? 16,
    warmup: options.warmup ?? false,
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.interOpNumThreads !== undefined ? { interOpNumThreads: options.interOpNumThreads } : {}),
  };
  if (!Number.isInteger(resolved.sessionCacheSize) || resolved.sessionCacheSize < 1) {
    throw new SwitchyardError({
      code: 'PLUGIN_OPTIONS_INVALID',
      message: `plugin-onnx: sessionCacheSize must be an integer >= 1, found ${String(options.sessionCacheSize)}`,
      details: { field: 'sessionCacheSize', expected: 'integer >= 1', found: options.sessionCacheSize },
    });
  }
  return resolved;
}

/** What provider detection looks at; tests pass their own to check the logic without a GPU. */
export interface ExecutionProviderProbe {
  readonly backends: readonly { readonly name: string; readonly bundled: boolean }[];
  /** Folders searched for a non-bundled provider's shared library. */
  readonly libraryDirs: readonly string[];
  readonly platform: NodeJS.Platform;
  readonly exists: (path: string) => boolean;
}

/** onnxruntime-node's binding folder(s) for this platform, then LD_LIBRARY_PATH / PATH entries. */
function defaultProbe(): ExecutionProviderProbe {
  const dirs: string[] = [];
  try {
    const bin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json')), 'bin');
    for (const napi of readdirSync(bin)) dirs.push(join(bin, napi, process.platform, process.arch));
  } catch {
    // no binding folder: only the search path below
  }
  const searchPath = process.platform === 'win32' ? process.env.PATH : process.env.LD_LIBRARY_PATH;
  dirs.push(...(searchPath ?? '').split(delimiter).filter(Boolean));
  return { backends: ort.listSupportedBackends(), libraryDirs: dirs, platform: process.platform, exists: existsSync };
}

const providerLibrary = (name: string, platform: NodeJS.Platform) =>
  platform === 'win32' ? `onnxruntime_providers_${name}.dll` : platform === 'darwin' ? `libonnxruntime_providers_${name}.dylib` : `libonnxruntime_providers_${name}.so`;

/**
 * Execution providers this onnxruntime-node install can use here: the bundled ones (cpu, webgpu...) and the
 * non-bundled ones (cuda, tensorrt) whose provider library and the shared provider bridge are installed
 * (`npm install onnxruntime-node --onnxruntime-node-install=cuda12` puts them next to the binding).
 */
export function availableExecutionProviders(probe: ExecutionProviderProbe = defaultProbe()): string[] {
  const installed = (file: string) => probe.libraryDirs.some((dir) => probe.exists(join(dir, file)));
  return probe.backends
    .filter((backend) => backend.bundled || (installed(providerLibrary(backend.name, probe.platform)) && installed(providerLibrary('shared', probe.platform))))
    .map((backend) => backend.name);
}

/** Fails with EXECUTION_PROVIDER_UNAVAILABLE naming the first missing provider and listing what exists. */
export function checkExecutionProviders(requested: readonly string[], available = availableExecutionProviders()): void {
  for (const provider of requested) {
    if (!available.includes(provider)) {
      throw new SwitchyardError({
        code: 'EXECUTION_PROVIDER_UNAVAILABLE',
        message: `plugin-onnx: execution provider '${provider}' is not available in this onnxruntime-node install (available: ${available.join(', ')})`,
        details: { provider, available },
      });
    }
  }
}

export function toSessionOptions(options: ResolvedOnnxOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [...options.executionProviders],
    graphOptimizationLevel: options.graphOptimizationLevel,
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    ...(options.interOpNumThreads !== undefined ? { interOpNumThreads: options.interOpNumThreads } : {}),
  };
}

/** Stable cache key part for the options that change how a session is built. */
export function sessionOptionsKey(options: ResolvedOnnxOptions): string {
  return JSON.stringify([
    options.executionProviders,
    options.graphOptimizationLevel,
    options.intraOpNumThreads ?? null,
    options.interOpNumThreads ?? null,
  ]);
}
