// Test adapter: the repository's generated registry (@switchyard/models) with each model folder made absolute, so a
// config anywhere (a temp dir) can name it as `models.registry`. Apps never need this: their registry's folders
// are relative to their own config file.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveModelDir, type ModelRegistry, type RegisteredModel } from '@switchyard/core';
import { getModel, isModelId, listModels } from '@switchyard/models';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** The folder of packages/models/switchyard.config.yaml: the registry's dirs are relative to it, packs resolve from it. */
const BASE = join(REPO, 'packages', 'models');

function absolute(entry: RegisteredModel): RegisteredModel {
  const dir = resolveModelDir(entry, BASE);
  if (dir === undefined) return entry;
  const { package: _pack, ...located } = entry;
  return { ...located, dir };
}

export const registry: ModelRegistry = {
  list: () => listModels().map(absolute),
  get: (id) => (isModelId(id) ? absolute(getModel(id)) : undefined),
};
