export { generate, DEFAULT_OUT_DIR, DEFAULT_TYPES_DIR, type GenerateInput, type GeneratedFile } from './generate.js';
export { compareGenerated, hasDrift, type GeneratedDrift } from './check-generated.js';
export { readModelsDir, runCodegen, type CodegenOptions, type CodegenReport } from './run-codegen.js';
export { formatTypeScript } from './format.js';
export const VERSION = '0.1.0';
