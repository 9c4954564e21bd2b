import { readFileSync } from 'node:fs';
export { generate, DEFAULT_OUT_DIR, DEFAULT_TYPES_DIR, type GenerateInput, type GeneratedFile } from './generate.js';
export { compareGenerated, hasDrift, type GeneratedDrift } from './check-generated.js';
export { readModelsDir, runCodegen, type CodegenOptions, type CodegenReport } from './run-codegen.js';
export { formatTypeScript } from './format.js';
/** The version of @switchyard/codegen, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
