import { definePlugin } from '@switchyard/core';
import type { SwitchyardPlugin } from '@switchyard/core';
import { RedactorEngine } from './redactor-engine.js';
import { redactorConfigSchema } from './redactor-options.js';
import type { RedactorOptions } from './redactor-options.js';

export const VERSION = '0.1.0';

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
