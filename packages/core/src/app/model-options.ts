import type { ValidateFunction } from 'ajv';
import { compileOptionsSchema } from '../di/plugin-options.js';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineV1, JsonSchema } from '@switchyard/spec';
import type { ConfigSource } from '../config/config-source.js';
import { encodePointer } from '../config/config-source.js';
import type { ConfigIssue, SwitchyardConfig } from '../config/config-types.js';
import { formatIssue, toConfigIssues } from '../config/schema-issues.js';
import type { ModelCatalog } from '../executor/model-catalog.js';
import { closeMatches } from '../orchestrator/model-names.js';


export interface ModelOptionsContext {
  /** The config file as messages name it. */
  readonly file: string;
  readonly source?: ConfigSource;
  /** Pointers whose string values came from the environment (never echoed). */
  readonly secretPointers?: ReadonlySet<string>;
}

/**
 * The engine an override's model runs on, when the config or the catalog says: the `<engine>:` of an
 * `<engine>:<model>` id, `overrides.<id>.engine`, the catalog entry's engine, else for a catalog model the first
 * engine that runs graph models (serves `inference`), as the router picks it. Undefined for an id no catalog has
 * and no engine names (its options reach whichever engine a request `<engine>:<id>` names).
 */
export function engineForOverride(
  id: string,
  override: { readonly engine?: string },
  engines: readonly EngineV1[],
  enabled: readonly EngineV1[],
  catalog: ModelCatalog | undefined,
): EngineV1 | undefined {
  const byId = (engineId: string | undefined) => (engineId === undefined ? undefined : engines.find((engine) => engine.id === engineId));
  const colon = id.indexOf(':');
  const prefixed = colon > 0 ? byId(id.slice(0, colon)) : undefined;
  if (prefixed) return prefixed;
  if (override.engine !== undefined) return byId(override.engine);
  let entry: ReturnType<ModelCatalog['get']>;
  try {
    entry = catalog?.get(id);
  } catch {
    return undefined; // a lookup that fails (a pack not installed) fails the model's first use, with its own error
  }
  if (!entry) return undefined;
  if (entry.engine !== undefined) return byId(entry.engine);
  return enabled.find((engine) => engine.capabilities.workloads.includes('inference'));
}

function validatorOf(engine: EngineV1, schema: JsonSchema): ValidateFunction {
  // No defaults applied: a key left out keeps the engine's own value (plugin options, model metadata).
  return compileOptionsSchema(schema, { applyDefaults: false, owner: `engine '${engine.id}' has an invalid modelOptionsSchema`, details: { engine: engine.id } });
}

/** An unknown key one edit from a known one gets the known one named. */
function withCloseMatch(issue: ConfigIssue, optionsPointer: string, schema: JsonSchema): ConfigIssue {
  const unknown = /^unknown key "(.*)"$/.exec(issue.found ?? '')?.[1];
  if (unknown === undefined || issue.pointer !== `${optionsPointer}${encodePointer([unknown])}`) return issue;
  const close = closeMatches(unknown, Object.keys((schema['properties'] as object | undefined) ?? {}), 1)[0];
  return close === undefined ? issue : { ...issue, message: `${issue.message} (did you mean "${close}"?)` };
}

/**
 * Checks every `models.overrides.<id>.options` against the modelOptionsSchema of the engine that model runs on
 * (engineForOverride): one CONFIG_INVALID listing every problem, each `file:line:col: /models/overrides/<id>/options/...`.
 * An engine without a schema, or an override whose engine is not known, is not checked (the engine sees the options at load).
 */
export function checkModelOptions(
  config: SwitchyardConfig,
  engines: readonly EngineV1[],
  enabled: readonly EngineV1[],
  catalog: ModelCatalog | undefined,
  context: ModelOptionsContext,
): void {
  const issues: ConfigIssue[] = [];
  for (const [id, override] of Object.entries(config.models?.overrides ?? {})) {
    if (override.options === undefined) continue;
    const engine = engineForOverride(id, override, engines, enabled, catalog);
    const schema = engine?.modelOptionsSchema;
    if (!engine || !schema) continue;
    const validate = validatorOf(engine, schema);
    if (validate(override.options)) continue;
    const pointer = encodePointer(['models', 'overrides', id, 'options']);
    const found = toConfigIssues(validate.errors ?? [], {
      file: context.file,
      basePointer: pointer,
      ...(context.source ? { source: context.source } : {}),
      ...(context.secretPointers ? { secretPointers: context.secretPointers } : {}),
    });
    for (const issue of found) {
      const named = withCloseMatch(issue, pointer, schema);
      issues.push({ ...named, message: `${named.message} (model options of engine '${engine.id}')` });
    }
  }
  if (issues.length === 0) return;
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: issues.length === 1 ? formatIssue(issues[0]!) : `Invalid config ${context.file} (${issues.length} errors):\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    details: { file: context.file, errors: issues },
  });
}
