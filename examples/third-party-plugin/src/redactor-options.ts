import { SwitchyardError } from '@switchyard/spec';
import type { JsonSchema } from '@switchyard/spec';
import { REDACTION_ENTITIES } from './redactor-rules.js';
import type { RedactionEntity, RedactionRule, ReplacementStyle } from './redactor-rules.js';

export interface RedactorCustomPattern {
  /** Label used in the replacement, e.g. `employee-id` -> `[EMPLOYEE-ID]`. */
  readonly name: string;
  /** JavaScript regular expression source (no slashes). */
  readonly pattern: string;
  /** Regex flags besides `g` (e.g. `i`). */
  readonly flags?: string;
}

export interface RedactorOptions {
  /** Engine id (default `pii-redactor`). */
  readonly id?: string;
  /** Built-in entities to redact (default: all). */
  readonly entities?: readonly RedactionEntity[];
  readonly replacement?: ReplacementStyle;
  readonly customPatterns?: readonly RedactorCustomPattern[];
}

/** Shipped with the plugin; the host app validates plugin options against it (with defaults applied). */
export const redactorConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, default: 'pii-redactor' },
    entities: { type: 'array', items: { enum: [...REDACTION_ENTITIES] }, uniqueItems: true, default: [...REDACTION_ENTITIES] },
    replacement: { enum: ['label', 'mask'], default: 'label' },
    customPatterns: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'pattern'],
        properties: { name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' }, pattern: { type: 'string', minLength: 1 }, flags: { type: 'string', pattern: '^[imsu]*$' } },
      },
    },
  },
};

/** Compiles custom patterns, failing with the JSON pointer of the first bad one (a schema cannot check regex syntax). */
export function compileCustomPatterns(patterns: readonly RedactorCustomPattern[], where = ''): RedactionRule[] {
  return patterns.map((p, i) => {
    try {
      return { name: p.name, pattern: new RegExp(p.pattern, `${p.flags ?? ''}g`) };
    } catch (error) {
      throw new SwitchyardError({
        code: 'PLUGIN_OPTIONS_INVALID',
        message: `example-third-party-plugin: ${where}/customPatterns/${i}/pattern is not a valid regular expression: ${(error as Error).message}`,
        details: { pointer: `${where}/customPatterns/${i}/pattern`, expected: 'a JavaScript regular expression', found: p.pattern },
      });
    }
  });
}
