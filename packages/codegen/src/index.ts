import { readFileSync } from 'node:fs';
export { generate, DEFAULT_OUT_DIR, type GenerateInput, type GeneratedFile, type ModelSource } from './generate.js';
export { compareGenerated, foreignFiles, hasDrift, isGeneratedOutput, type ExistingFile, type GeneratedDrift } from './check-generated.js';
export { displayPath, readModelSources, runCodegen, type CodegenOptions, type CodegenReport } from './run-codegen.js';
export { graphIssues, readGraphSignature, type GraphSignature, type ModelFolder } from './graph-check.js';
export { formatTypeScript } from './format.js';
/** The version of @switchyard/codegen, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
