import { readFileSync } from 'node:fs';
import { definePlugin } from '@switchyard/spec';
import type { SwitchyardPlugin } from '@switchyard/spec';
import { RedactorEngine } from './redactor-engine.js';
import { redactorConfigSchema } from './redactor-options.js';
import type { RedactorOptions } from './redactor-options.js';

/** The version of @switchyard/example-third-party-plugin, read from its package.json (never a hand-kept copy). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Creates the plugin manifest. The app validates options against `configSchema` before `register`. */
export function createRedactorPlugin(): SwitchyardPlugin<RedactorOptions> {
  return definePlugin<RedactorOptions>({
    name: '@switchyard/example-third-party-plugin',
    version: VERSION,
    core: '^0.1.0',
    configSchema: redactorConfigSchema,
    register(context) {
      const engine = new RedactorEngine(context.options);
      context.registerEngine(engine);
      context.logger.info({ engine: engine.id, entities: context.options.entities ?? 'all' }, 'PII redactor registered');
    },
  });
}
