import { readFileSync } from 'node:fs';
export * from './generated/index.js';
/** The version of @switchyard/models, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
