import { createRedactorPlugin } from './redactor-plugin.js';

export { createRedactorPlugin, VERSION } from './redactor-plugin.js';
export { RedactorEngine } from './redactor-engine.js';
export { redactorConfigSchema } from './redactor-options.js';
export type { RedactorOptions, RedactorCustomPattern } from './redactor-options.js';
export { REDACTION_ENTITIES, findSensitiveSpans, applyRedactions, passesLuhn, passesIbanChecksum } from './redactor-rules.js';
export type { RedactionEntity, RedactionFinding, ReplacementStyle } from './redactor-rules.js';

/** The plugin manifest, loaded by an app config entry `{ package: '@switchyard/example-third-party-plugin' }`. */
export default createRedactorPlugin();
