import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { graphIssues } from '@switchyard/codegen';
import { configuredModelsDirs, formatMetadataIssue, MetadataInvalidError, openConfiguredModelCatalog, planChain, validateModelMetadata, type MetadataIssue, type SwitchyardConfig } from '@switchyard/core';

export interface AppModelsCheck {
  /** Models the catalog lists. */
  readonly models: number;
  readonly errors: readonly MetadataIssue[];
  /** Unknown or unused fields: printed, not failed on (as codegen and the runtime treat them). */
  readonly warnings: readonly MetadataIssue[];
}

export interface AppModelsCheckOptions {
  /** Locates a config error (a missing models.dirs entry, a pack not installed) in the config file. */
  readonly locate: (error: unknown) => unknown;
  /** Model files are named relative to this folder (the current one); absent: absolute, as the config was typed. */
  readonly relativeTo?: string;
}

const toPosix = (path: string): string => path.split(sep).join('/');

/**
 * Every model of the config's catalog (models.dirs, models.packages), read by core's DirectoryModelCatalog and checked
 * by validateModelMetadata and the graph check (graphIssues): the reader and the checks codegen and the runtime use,
 * so `validate` gives their verdict. An id two models share is the catalog's own error, as a lookup at run time reports it.
 */
export async function checkAppModels(config: SwitchyardConfig, baseDir: string, options: AppModelsCheckOptions): Promise<AppModelsCheck> {
  const packages = config.models?.packages ?? [];
  const errors: MetadataIssue[] = [];
  const warnings: MetadataIssue[] = [];
  let count: number;
  try {
    const catalog = await openConfiguredModelCatalog({ ...config.models, dirs: configuredModelsDirs(config.models?.dirs, baseDir), packages }, baseDir);
    const { models, issues } = catalog.list();
    errors.push(...issues);
    count = models.length + new Set(issues.map((issue) => issue.file)).size;
    for (const model of models) {
      const result = validateModelMetadata(model.metadata, { file: model.file });
      errors.push(...result.issues);
      warnings.push(...result.warnings);
      // The graphs against the metadata (names, dtypes, ranks; files present), as codegen and the ONNX engine check them.
      if (result.ok) errors.push(...graphIssues(result.metadata, planChain(result.metadata), { root: model.dir, file: model.file }));
      try {
        catalog.get(model.origin.kind === 'dir' ? model.origin.folder : model.id);
      } catch (error) {
        if (!MetadataInvalidError.isInstance(error)) throw error;
        errors.push(...error.issues);
      }
    }
  } catch (error) {
    throw options.locate(error);
  }
  // Catalog files are relative to the config folder; a pack's is `<pack>/model_metadata.json` wherever it is installed.
  const shown = (issue: MetadataIssue): MetadataIssue => {
    if (packages.some((name) => issue.file.startsWith(`${name}/`)) || isAbsolute(issue.file)) return issue;
    const path = resolve(baseDir, issue.file);
    return { ...issue, file: options.relativeTo !== undefined ? toPosix(relative(options.relativeTo, path)) || '.' : path };
  };
  const distinct = (list: readonly MetadataIssue[]): MetadataIssue[] => {
    const seen = new Set<string>();
    return list.map(shown).filter((issue) => !seen.has(formatMetadataIssue(issue)) && seen.add(formatMetadataIssue(issue)));
  };
  return { models: count, errors: distinct(errors), warnings: distinct(warnings) };
}
