import { readFileSync } from 'node:fs';
/** The version of @switchyard/plugin-mlx, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
