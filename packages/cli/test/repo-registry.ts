// Test adapter: the repository's generated registry (@switchyard/models) with each model folder made absolute, so a
// config anywhere (a temp dir) can name it as `models.registry`. Apps never need this: their registry's folders
// are relative to their own config file.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelRegistry, RegisteredModel } from '@switchyard/core';
import { getModel, isModelId, listModels } from '@switchyard/models';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BASES = [REPO, join(REPO, 'packages', 'models')];

function absolute(entry: RegisteredModel): RegisteredModel {
  if (!entry.dir) return entry;
  const base = BASES.find((b) => existsSync(join(b, entry.dir!, 'model_metadata.json'))) ?? REPO;
  return { ...entry, dir: resolve(base, entry.dir) };
}

export const registry: ModelRegistry = {
  list: () => listModels().map(absolute),
  get: (id) => (isModelId(id) ? absolute(getModel(id)) : undefined),
};
