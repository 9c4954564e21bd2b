import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isXybPath, openXybBundle, type OpenXybOptions } from '../bundles/xyb-bundle.js';
import { SwitchyardError } from '@switchyard/spec';
import { resolveModelPack, type ModelCatalog, type RegisteredModel } from './model-catalog.js';
import { LruCache } from '../routing/lru-cache.js';
import { MetadataInvalidError, type MetadataIssue } from '../template-executor/metadata-invalid-error.js';
import { parseMetadataJson, refuseMetadataFolder } from '../template-executor/metadata-json.js';

/** A registry entry read from `<dir>/<id>/model_metadata.json`, a bundle or a model pack; `dir` is absolute. */
export interface DirectoryModel extends RegisteredModel {
  readonly dir: string;
}

/** Where a model of `models.dirs` / `models.packages` was found. */
export type FoundModelOrigin =
  /** `<entry>/<folder>/model_metadata.json`: looked up by the folder's name. */
  | { readonly kind: 'dir'; readonly entry: string; readonly folder: string }
  /** A `models.dirs` entry that is a model folder itself: found by its model_id. */
  | { readonly kind: 'folder'; readonly entry: string }
  /** A `.xyb` entry of `models.dirs` (absolute path): found by its model_id, run from its extracted folder. */
  | { readonly kind: 'bundle'; readonly entry: string }
  /** A model pack of `models.packages`: found by its model_id. */
  | { readonly kind: 'package'; readonly name: string };

/** One model as `list()` enumerates it. */
export interface FoundModel extends DirectoryModel {
  /** Its model_metadata.json as messages show it (relative to the config folder, or `<pack>/model_metadata.json`). */
  readonly file: string;
  readonly origin: FoundModelOrigin;
}

/** Ids remembered by a DirectoryModelCatalog (found or not); docs/server.md#limits. */
export const DIRECTORY_CATALOG_CACHE_SIZE = 1024;

/** `models.dirs` when a config lists none: `models/`, which may be absent (an app of packs only). */
export const DEFAULT_MODELS_DIRS: readonly string[] = ['models'];

export interface DirectoryModelCatalogOptions {
  /**
   * `models.dirs`, relative to baseDir or absolute: folders holding `<id>/model_metadata.json`, model folders (holding
   * model_metadata.json themselves: one model, found by its model_id), or `.xyb` bundles. Every entry must exist
   * (CONFIG_INVALID naming `/models/dirs/<i>`). Absent: DEFAULT_MODELS_DIRS, each used only when it exists.
   */
  readonly dirs?: readonly string[];
  /** Model packs (`models.packages`): npm packages whose root holds model_metadata.json. */
  readonly packages?: readonly string[];
  /** The app's config folder. */
  readonly baseDir: string;
  readonly engineFor?: (id: string) => string | undefined;
  /** Ids remembered (found or not); default DIRECTORY_CATALOG_CACHE_SIZE. */
  readonly capacity?: number;
}

type DirsEntry = { readonly kind: 'dir' | 'folder' | 'bundle'; readonly path: string };

const toPosix = (path: string): string => path.split(sep).join('/');

/**
 * The `models.dirs` entries an app uses: the listed ones, each of which must exist (CONFIG_INVALID naming
 * `/models/dirs/<i>`: nothing listed is silently ignored), or, when the config lists none, DEFAULT_MODELS_DIRS that
 * exist (an app of packs only has no `models/`). Entries stay as given (relative to baseDir or absolute). Entries a
 * command-line flag gave (`flag`, relative to the current folder as baseDir) are named by that flag, not a pointer.
 */
export function configuredModelsDirs(dirs: readonly string[] | undefined, baseDir: string, options: { readonly flag?: string } = {}): string[] {
  if (dirs === undefined) return DEFAULT_MODELS_DIRS.filter((entry) => existsSync(resolve(baseDir, entry)));
  const { flag } = options;
  // Every bad entry is named at once (the first one locates the error in the config file).
  const problems = dirs.flatMap((entry, i) => {
    const path = resolve(baseDir, entry);
    const problem = !existsSync(path) ? 'does not exist' : !isXybPath(path) && !statSync(path).isDirectory() ? 'is a file, not a folder or a .xyb bundle' : undefined;
    return problem === undefined ? [] : [{ pointer: `/models/dirs/${i}`, entry, problem }];
  });
  const named = (p: (typeof problems)[number]): string => (flag ? `${flag} '${p.entry}' ${p.problem}` : `${p.pointer}: '${p.entry}' ${p.problem}`);
  const [first, ...more] = problems;
  if (first) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `${named(first)} (expected a folder of model folders, a model folder or a .xyb file${flag ? '' : ', relative to the config file'})${more.map((p) => `; ${named(p)}`).join('')}`,
      details: { ...(flag ? { flag } : { pointer: first.pointer }), expected: 'an existing folder or .xyb file', found: first.entry },
    });
  }
  return [...dirs];
}

/**
 * The issue of a model in a folder of model folders whose model_id is not its folder's name (`file`: its
 * model_metadata.json as shown, relative to the config folder; `name`: the folder's name), with both fixes: rename
 * the folder, or list the folder itself in models.dirs, where a model folder is found by its model_id (xybrid's zoo
 * folders are named otherwise).
 */
export function folderNameIssue(file: string, name: string, id: string): MetadataIssue {
  const folder = file.replace(/\/?model_metadata\.json$/, '') || '.';
  return {
    file,
    pointer: '/model_id',
    message: `must equal the name of its folder (the model folders of a models dir are looked up by name): rename the folder to ${id}, or list the folder itself in models.dirs, not inside another entry (e.g. dirs: [${folder}]), to find it by its model_id`,
    expected: JSON.stringify(name),
    found: JSON.stringify(id),
  };
}

/** Sorts `models.dirs` entries into folders of model folders, model folders and bundles. */
function classifyEntries(dirs: readonly string[], baseDir: string): DirsEntry[] {
  return dirs.map((entry) => {
    const path = resolve(baseDir, entry);
    if (isXybPath(path)) return { kind: 'bundle', path };
    return { kind: existsSync(join(path, 'model_metadata.json')) ? 'folder' : 'dir', path };
  });
}

/**
 * The one reader of `models.dirs` and `models.packages`: the runtime looks models up through `get()` (lazily, once per
 * id: `<dir>/<id>` by folder name; model folders, bundles and packs by their metadata's model_id) and codegen
 * enumerates the same models through `list()`. A `.xyb` entry (xybrid's format) holds one model: `openBundles()`
 * extracts it (verified, into the bundle cache). Used for every model the generated registry lacks.
 */
export class DirectoryModelCatalog implements ModelCatalog {
  /** Found and not-found ids alike, bounded: distinct unknown names cannot grow memory (null = not found). */
  private readonly cache: LruCache<string, DirectoryModel | null>;
  private readonly bundled = new Map<string, FoundModel>();
  private packs: Map<string, FoundModel> | undefined;
  private folders: Map<string, FoundModel> | undefined;
  private readonly entries: readonly DirsEntry[];
  readonly dirs: readonly string[];
  readonly bundles: readonly string[];
  /** Entries of `models.dirs` that are one model folder each. */
  readonly modelFolders: readonly string[];
  private readonly packages: readonly string[];
  private readonly baseDir: string;
  private readonly engineFor: (id: string) => string | undefined;

  constructor(options: DirectoryModelCatalogOptions) {
    this.baseDir = resolve(options.baseDir);
    this.entries = classifyEntries(configuredModelsDirs(options.dirs, this.baseDir), this.baseDir);
    const of = (kind: DirsEntry['kind']): string[] => this.entries.filter((e) => e.kind === kind).map((e) => e.path);
    this.dirs = of('dir');
    this.bundles = of('bundle');
    this.modelFolders = of('folder');
    this.packages = options.packages ?? [];
    this.engineFor = options.engineFor ?? (() => undefined);
    this.cache = new LruCache(options.capacity ?? DIRECTORY_CATALOG_CACHE_SIZE);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Opens every `.xyb` entry of `models.dirs` (once; later opens reuse the extracted folder). */
  async openBundles(options: OpenXybOptions = {}): Promise<void> {
    for (const bundle of this.bundles) {
      const { dir } = await openXybBundle(bundle, options);
      const shown = `${this.shown(bundle)}/model_metadata.json`;
      const file = join(dir, 'model_metadata.json');
      if (!existsSync(file)) {
        throw new SwitchyardError({ code: 'BUNDLE_INVALID', message: `${this.shown(bundle)}: has no model_metadata.json, so it cannot be listed in models.dirs`, details: { file: this.shown(bundle) } });
      }
      const model = this.found(shown, dir, parseMetadataJson(readFileSync(file, 'utf8'), shown), { kind: 'bundle', entry: bundle });
      this.bundled.set(model.id, model);
    }
  }

  /**
   * The model of this id, from wherever the config lists it. An id found in two places (a pack and an app folder, two
   * dirs, a bundle and a folder) is METADATA_INVALID naming both files, as codegen reports it: no silent precedence.
   * The same folder listed twice is one model. Found and not-found ids are remembered (LRU-bounded).
   */
  get(modelId: string): DirectoryModel | undefined {
    const cached = this.cache.get(modelId);
    if (cached !== undefined) return cached ?? undefined;
    const candidates: DirectoryModel[] = [];
    const pack = this.packModels().get(modelId);
    if (pack) candidates.push(pack);
    const folder = this.folderModels().get(modelId);
    if (folder) candidates.push(folder);
    const bundled = this.bundled.get(modelId);
    if (bundled) candidates.push(bundled);
    if (/^[A-Za-z0-9._-]+$/.test(modelId)) {
      for (const dir of this.dirs) if (existsSync(join(dir, modelId, 'model_metadata.json'))) candidates.push(this.dirModel(dir, modelId));
    }
    const distinct = distinctFolders(candidates);
    if (distinct.length > 1) throw duplicateIdError(modelId, distinct);
    const found = distinct[0];
    this.cache.set(modelId, found ?? null);
    return found;
  }

  /** Ids of the packs, of the model folders, of every folder holding a model_metadata.json, and of opened bundles (sorted). */
  ids(): string[] {
    const ids = new Set([...this.packModels().keys(), ...this.folderModels().keys()]);
    for (const dir of this.dirs) for (const name of this.modelFolderNames(dir)) ids.add(name);
    for (const id of this.bundled.keys()) ids.add(id);
    return [...ids].sort();
  }

  /**
   * Every model of `models.dirs` (in config order, folders of a dir sorted) and `models.packages`, each read and
   * none shadowed: what codegen generates from. Invalid JSON or a missing model_id is an issue of that model (located
   * by file), so one bad file hides no other. Call `openBundles()` first.
   */
  list(): { models: FoundModel[]; issues: MetadataIssue[] } {
    const models: FoundModel[] = [];
    const issues: MetadataIssue[] = [];
    const attempt = (read: () => FoundModel): void => {
      try {
        models.push(read());
      } catch (error) {
        if (!MetadataInvalidError.isInstance(error)) throw error;
        issues.push(...error.issues);
      }
    };
    for (const entry of this.entries) {
      if (entry.kind === 'dir') for (const name of this.modelFolderNames(entry.path)) attempt(() => this.dirModel(entry.path, name));
      else if (entry.kind === 'folder') attempt(() => this.folderModel(entry.path));
      else {
        const model = [...this.bundled.values()].find((m) => m.origin.kind === 'bundle' && m.origin.entry === entry.path);
        if (!model) throw new SwitchyardError({ code: 'INTERNAL', message: `${this.shown(entry.path)}: bundle not opened (call openBundles() before list())` });
        models.push(model);
      }
    }
    for (const name of this.packages) attempt(() => this.packModel(name));
    // The same folder reached twice (listed twice, or a model folder inside a listed dir) is one model.
    return { models: distinctFolders(models), issues };
  }

  /** A path as messages show it: relative to the config folder (POSIX), never an absolute server path. */
  private shown(path: string): string {
    return toPosix(relative(this.baseDir, path)) || '.';
  }

  /** Sub-folders of a models dir holding a model_metadata.json (existsSync follows symlinks: a linked folder counts). */
  private modelFolderNames(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((name) => existsSync(join(dir, name, 'model_metadata.json'))).sort();
  }

  private read(file: string, shown: string): unknown {
    refuseMetadataFolder(file, shown);
    return parseMetadataJson(readFileSync(file, 'utf8'), shown);
  }

  private found(file: string, dir: string, metadata: unknown, origin: FoundModelOrigin, id?: string): FoundModel {
    const modelId = id ?? (metadata as { model_id?: unknown } | null)?.model_id;
    if (typeof modelId !== 'string') {
      throw new MetadataInvalidError({ issues: [{ file, pointer: '/model_id', message: 'is required: a model found by its model_id needs a string model_id', expected: 'a string', found: 'nothing' }] });
    }
    const engine = this.engineFor(modelId);
    return { id: modelId, dir, metadata, file, origin, ...(origin.kind === 'package' ? { package: origin.name } : {}), ...(engine ? { engine } : {}) };
  }

  private dirModel(dir: string, name: string): FoundModel {
    const folder = join(dir, name);
    const file = join(folder, 'model_metadata.json');
    const shown = this.shown(file);
    const metadata = this.read(file, shown);
    const id = (metadata as { model_id?: unknown } | null)?.model_id;
    // Looked up by folder name: another model_id would run under a name codegen, validate and the API disagree on.
    if (typeof id === 'string' && id !== name) {
      throw new MetadataInvalidError({ issues: [folderNameIssue(shown, name, id)] });
    }
    return this.found(shown, folder, metadata, { kind: 'dir', entry: dir, folder: name }, name);
  }

  private folderModel(dir: string): FoundModel {
    const shown = this.shown(join(dir, 'model_metadata.json'));
    return this.found(shown, dir, this.read(join(dir, 'model_metadata.json'), shown), { kind: 'folder', entry: dir });
  }

  private packModel(name: string): FoundModel {
    const root = resolveModelPack(name, this.baseDir);
    const shown = `${name}/model_metadata.json`;
    if (!existsSync(join(root, 'model_metadata.json'))) {
      throw new MetadataInvalidError({ issues: [{ file: shown, pointer: '', message: 'is missing: a model pack (models.packages) holds model_metadata.json at its root' }] });
    }
    return this.found(shown, root, this.read(join(root, 'model_metadata.json'), shown), { kind: 'package', name });
  }

  /** The model of each `models.dirs` entry that is a model folder, keyed by its model_id (read once). */
  private folderModels(): Map<string, FoundModel> {
    if (this.folders) return this.folders;
    const folders = new Map<string, FoundModel>();
    for (const dir of this.modelFolders) {
      const model = this.folderModel(dir);
      folders.set(model.id, model);
    }
    this.folders = folders;
    return folders;
  }

  /** Each pack's model, keyed by its model_id (read once, at the first lookup). */
  private packModels(): Map<string, FoundModel> {
    if (this.packs) return this.packs;
    const packs = new Map<string, FoundModel>();
    for (const name of this.packages) {
      const model = this.packModel(name);
      packs.set(model.id, model);
    }
    this.packs = packs;
    return packs;
  }
}

/** Models whose folders are distinct on disk (symlinks and repeated config entries resolved), first one kept. */
function distinctFolders<M extends { readonly dir: string }>(models: readonly M[]): M[] {
  const seen = new Set<string>();
  return models.filter((model) => {
    let key = model.dir;
    try {
      key = realpathSync(model.dir);
    } catch {
      // a folder that vanished keeps its path as key
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function duplicateIdError(modelId: string, models: readonly DirectoryModel[]): MetadataInvalidError {
  const files = models.map((model) => (model as Partial<FoundModel>).file ?? model.dir);
  return new MetadataInvalidError({
    issues: files.slice(1).map((file) => ({ file, pointer: '/model_id', message: `repeats the id of ${files[0]}`, expected: 'an id no other model has', found: JSON.stringify(modelId) })),
  });
}
