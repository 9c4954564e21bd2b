import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SwitchyardPlugin } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import type { ConfigSource } from './config-source.js';
import { encodePointer } from './config-source.js';
import type { SwitchyardConfig } from './config-types.js';

/** A plugin ready for the plugin host: the manifest, its raw options, and where it came from. */
export interface PluginSpec {
  readonly plugin: SwitchyardPlugin<any>;
  readonly options?: Record<string, unknown>;
  /** How the config named it (package name or path). */
  readonly specifier?: string;
  /** Where in the config file: `/plugins/<i>` (and the file/source, for line numbers in option errors). */
  readonly pointer?: string;
  readonly file?: string;
  readonly source?: ConfigSource;
}

function loadFailed(specifier: string, why: string, where: { file?: string; pointer?: string; source?: ConfigSource }, cause?: unknown): SwitchyardError {
  const position = where.pointer ? where.source?.locate(where.pointer) : undefined;
  const location = where.file ? `${where.file}${position ? `:${position.line}:${position.column}` : ''}: ${where.pointer ?? ''}: ` : '';
  return new SwitchyardError({
    code: 'PLUGIN_LOAD_FAILED',
    message: `${location}cannot load plugin '${specifier}': ${why}`,
    details: { plugin: specifier, ...(where.file ? { file: where.file } : {}), ...(where.pointer ? { pointer: where.pointer } : {}), ...(position ?? {}) },
    cause,
  });
}

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Custom conditions this process runs with (`--conditions source`, as vitest and `node -C` pass them). */
export function activeConditions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const conditions: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline) conditions.push(inline[1]!);
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) conditions.push(args[++i]!);
  }
  return conditions;
}

/** Resolves an `exports` target like Node does for `import`: the first key (in object order) that is active. */
function pickExport(target: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map((t) => pickExport(t, conditions)).find((t) => t !== undefined);
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target as Record<string, unknown>)) {
      if (!conditions.has(condition)) continue;
      const picked = pickExport(value, conditions);
      if (picked) return picked;
    }
  }
  return undefined;
}

/** Finds node_modules/<pkg> walking up from baseDir and resolves its ESM entry (for import-only packages). */
function resolvePackageManually(specifier: string, baseDir: string): string | undefined {
  const conditions = new Set([...activeConditions(), 'import', 'node', 'default']);
  const name = packageNameOf(specifier);
  const subpath = `.${specifier.slice(name.length)}`;
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const packageDir = join(dir, 'node_modules', name);
    const manifestPath = join(packageDir, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown; main?: string; module?: string };
      let entry: string | undefined;
      if (manifest.exports !== undefined) {
        const exportsMap = manifest.exports as Record<string, unknown>;
        const isSubpathMap = typeof exportsMap === 'object' && !Array.isArray(exportsMap) && Object.keys(exportsMap).some((k) => k.startsWith('.'));
        entry = pickExport(isSubpathMap ? exportsMap[subpath] : subpath === '.' ? exportsMap : undefined, conditions);
      } else {
        entry = subpath === '.' ? (manifest.module ?? manifest.main ?? 'index.js') : subpath;
      }
      return entry ? join(packageDir, entry) : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Resolves a plugin specifier (package name or path) relative to the config file's directory. Errors name that
 * directory as `baseDirShown` (e.g. "the config file's folder", beside a message located in the config file).
 */
export function resolvePluginSpecifier(specifier: string, baseDir: string, baseDirShown: string = baseDir): string {
  if (specifier.startsWith('./') || specifier.startsWith('../') || isAbsolute(specifier)) {
    const file = resolve(baseDir, specifier);
    if (!existsSync(file)) throw new Error(`file ${specifier} does not exist${isAbsolute(specifier) ? '' : ` (relative to ${baseDirShown})`}`);
    return pathToFileURL(file).href;
  }
  // ESM entry first (import/node/default conditions), so a dual package is loaded as ESM like the app would.
  const manual = resolvePackageManually(specifier, baseDir);
  if (manual && existsSync(manual)) return pathToFileURL(manual).href;
  try {
    return pathToFileURL(createRequire(join(baseDir, 'switchyard-config.cjs')).resolve(specifier)).href;
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(code === 'MODULE_NOT_FOUND' && !manual ? `package not found from ${baseDirShown} (is it installed?)` : (error as Error).message, { cause: error });
  }
}

function isPluginLike(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && typeof (value as { register?: unknown }).register === 'function';
}

/** Checks the manifest fields; the plugin host checks `core` against the running version. */
export function assertPluginManifest(value: unknown, specifier: string): SwitchyardPlugin<any> {
  if (!isPluginLike(value)) throw new Error('the module does not export a plugin (default export { name, version, core, configSchema, register })');
  const problems: string[] = [];
  if (typeof value.name !== 'string' || value.name === '') problems.push('"name" must be a non-empty string');
  if (typeof value.version !== 'string') problems.push('"version" must be a string');
  if (typeof value.core !== 'string') problems.push('"core" must be a semver range string');
  if (!value.configSchema || typeof value.configSchema !== 'object') problems.push('"configSchema" must be a JSON Schema object');
  if (value.dependsOn !== undefined && !(Array.isArray(value.dependsOn) && value.dependsOn.every((d) => typeof d === 'string'))) {
    problems.push('"dependsOn" must be an array of plugin names');
  }
  for (const hook of ['initialize', 'shutdown']) {
    if (value[hook] !== undefined && typeof value[hook] !== 'function') problems.push(`"${hook}" must be a function`);
  }
  if (problems.length > 0) throw new Error(`invalid plugin manifest from '${specifier}': ${problems.join('; ')}`);
  return value as unknown as SwitchyardPlugin<any>;
}

/** Imports one plugin module; accepts a default-exported manifest, a default factory `() => manifest`, or `export const plugin`. */
export async function importPlugin(specifier: string, baseDir: string, baseDirShown: string = baseDir): Promise<SwitchyardPlugin<any>> {
  const url = resolvePluginSpecifier(specifier, baseDir, baseDirShown);
  const module = (await import(url)) as Record<string, unknown>;
  let candidate: unknown = module.default ?? module.plugin;
  if (typeof candidate === 'function' && !isPluginLike(candidate)) candidate = await (candidate as () => unknown)();
  return assertPluginManifest(candidate, specifier);
}

/** Imports every enabled plugin listed in the config, in config order. */
export async function loadConfiguredPlugins(loaded: { readonly config: SwitchyardConfig; readonly baseDir: string; readonly file?: string; readonly source?: ConfigSource }): Promise<PluginSpec[]> {
  const specs: PluginSpec[] = [];
  const entries = loaded.config.plugins ?? [];
  // Beside a location in the config file, its folder is named as such rather than by an absolute path.
  const baseDirShown = loaded.file !== undefined && resolve(dirname(loaded.file)) === resolve(loaded.baseDir) ? "the config file's folder" : loaded.baseDir;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    const pointer = encodePointer(['plugins', index]);
    const specifier = typeof entry === 'string' ? entry : (entry.package ?? entry.name)!;
    if (typeof entry !== 'string' && entry.enabled === false) continue;
    const where = { ...(loaded.file ? { file: loaded.file } : {}), pointer, ...(loaded.source ? { source: loaded.source } : {}) };
    let plugin: SwitchyardPlugin<any>;
    try {
      plugin = await importPlugin(specifier, loaded.baseDir, baseDirShown);
    } catch (error) {
      throw loadFailed(specifier, (error as Error).message ?? String(error), where, error);
    }
    specs.push({
      plugin,
      specifier,
      ...where,
      ...(typeof entry !== 'string' && entry.options ? { options: entry.options } : {}),
    });
  }
  return specs;
}
