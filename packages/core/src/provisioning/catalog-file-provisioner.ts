import { NoSuchModelError, SwitchyardError } from '@switchyard/spec';
import { ModelProvisioner, type ModelProvisionerOptions, type ProvisionProgress } from './model-provisioner.js';

/** Where a model's folder is and its parsed metadata (a DirectoryModelCatalog entry satisfies it). */
export interface ModelFolderEntry {
  readonly dir?: string;
  readonly metadata?: unknown;
}

/**
 * The Executor's `ModelFileProvisioner` over a model lookup: finds the model's folder, resolves and verifies its
 * files with a ModelProvisioner and returns them with the metadata.
 */
export class CatalogFileProvisioner {
  readonly provisioner: ModelProvisioner;

  constructor(
    private readonly lookup: (modelId: string) => ModelFolderEntry | undefined,
    options: ModelProvisionerOptions = {},
  ) {
    this.provisioner = new ModelProvisioner(options);
  }

  async provision(modelId: string, signal: AbortSignal, onProgress?: (progress: ProvisionProgress) => void): Promise<{ files: Record<string, string>; metadata?: unknown }> {
    const entry = this.lookup(modelId);
    if (!entry) throw new NoSuchModelError({ modelId });
    if (entry.dir === undefined) {
      throw new SwitchyardError({ code: 'ARTIFACT_NOT_FOUND', message: `model '${modelId}' has no folder to resolve its files from`, details: { modelId } });
    }
    const { files } = await this.provisioner.resolve(entry.dir, entry.metadata ?? {}, signal, onProgress);
    return { files, ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}) };
  }
}
