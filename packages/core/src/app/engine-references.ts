import { SwitchyardError } from '@switchyard/spec';
import type { SwitchyardConfig } from '../config/config-types.js';
import { encodePointer } from '../config/config-source.js';
import type { ResilienceConfig } from '../resilience/resilience-config.js';
import type { ChainEntry, GroupMember, RoutingConfig } from '../routing/routing-config.js';

/** The target kinds `routing.fallbacks` may name instead of an `engine:model`. */
const TARGET_KINDS = ['local', 'edge', 'cloud'] as const;

/** CONFIG_INVALID naming where the config names an engine that no plugin registered, and the registered ones. */
export function unknownEngineError(pointer: string, engine: string, registered: readonly string[]): SwitchyardError {
  const list = registered.join(', ') || 'none';
  return new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: `${pointer}: no plugin registered an engine '${engine}' (registered: ${list})`,
    details: { pointer, expected: `one of ${registered.join(', ') || 'no engines'}`, found: engine },
  });
}

function malformed(pointer: string, expected: string, found: unknown): SwitchyardError {
  return new SwitchyardError({
    code: 'CONFIG_INVALID',
    message: `${pointer}: expected ${expected}, found ${JSON.stringify(found)}`,
    details: { pointer, expected, found },
  });
}

/** `engine:model` or `{ engine, model }`: the engine id, or an error when the string has no engine part. */
function engineOf(ref: GroupMember, at: (string | number)[]): string {
  if (typeof ref !== 'string') return ref.engine;
  const colon = ref.indexOf(':');
  if (colon <= 0 || colon === ref.length - 1) throw malformed(encodePointer(at), "'engine:model' (e.g. 'openai:gpt-4o-mini')", ref);
  return ref.slice(0, colon);
}

/** Every engine id the config names, with the path naming it (routes, deployments, resilience, admission...). */
function* engineReferences(config: SwitchyardConfig): Generator<{ path: (string | number)[]; engine: string }> {
  for (const id of Object.keys(config.engines ?? {})) yield { path: ['engines', id], engine: id };
  for (const [id, override] of Object.entries(config.models?.overrides ?? {})) {
    if (override.engine !== undefined) yield { path: ['models', 'overrides', id, 'engine'], engine: override.engine };
  }
  const resilience = config.resilience as ResilienceConfig | undefined;
  for (const id of Object.keys(resilience?.engines ?? {})) yield { path: ['resilience', 'engines', id], engine: id };
  const admission = (config.server as { admission?: { concurrency?: { engines?: Record<string, unknown> } } } | undefined)?.admission;
  for (const id of Object.keys(admission?.concurrency?.engines ?? {})) yield { path: ['server', 'admission', 'concurrency', 'engines', id], engine: id };
  const routing = config.routing as RoutingConfig | undefined;
  const chain = function* (entries: readonly ChainEntry[] | undefined, at: (string | number)[]) {
    for (const [i, entry] of (entries ?? []).entries()) {
      if (typeof entry === 'object' && 'group' in entry) {
        for (const [j, member] of entry.group.entries()) yield { path: [...at, i, 'group', j], engine: engineOf(member, [...at, i, 'group', j]) };
      } else yield { path: [...at, i], engine: engineOf(entry, [...at, i]) };
    }
  };
  const members = function* (value: GroupMember | readonly GroupMember[] | undefined, at: (string | number)[]) {
    if (value === undefined) return;
    if (!Array.isArray(value)) yield { path: at, engine: engineOf(value as GroupMember, at) };
    else for (const [j, member] of (value as readonly GroupMember[]).entries()) yield { path: [...at, j], engine: engineOf(member, [...at, j]) };
  };
  for (const [name, route] of Object.entries(routing?.routes ?? {})) {
    yield* chain(route.targets, ['routing', 'routes', name, 'targets']);
    yield* members(route.small, ['routing', 'routes', name, 'small']);
    yield* members(route.large, ['routing', 'routes', name, 'large']);
    yield* chain(route.fallback, ['routing', 'routes', name, 'fallback']);
  }
  for (const [id, deployments] of Object.entries(routing?.models ?? {})) yield* members(deployments, ['routing', 'models', id]);
  for (const [i, entry] of (routing?.fallbacks ?? []).entries()) {
    if ((TARGET_KINDS as readonly string[]).includes(entry)) continue;
    const colon = entry.indexOf(':');
    if (colon <= 0 || colon === entry.length - 1) throw malformed(encodePointer(['routing', 'fallbacks', i]), `a target kind (${TARGET_KINDS.join(', ')}) or 'engine:model'`, entry);
    yield { path: ['routing', 'fallbacks', i], engine: entry.slice(0, colon) };
  }
}

/**
 * The one check that the config names only engines a plugin registered (`engines:`, `models.overrides.<id>.engine`,
 * `resilience.engines`, `server.admission.concurrency.engines`, route targets/small/large/fallback, `routing.models`,
 * `routing.fallbacks`):
 * the first that does not is CONFIG_INVALID with its pointer and the registered ids. A disabled engine
 * (`enabled: false`) is registered: routes may keep naming it, and the router leaves it out. While a plugin is
 * disabled, an engine no loaded plugin registered goes to `onDisabledPlugin` instead (a located warning).
 */
export function checkEngineReferences(config: SwitchyardConfig, registered: readonly string[], onDisabledPlugin?: (pointer: string, engine: string, plugins: readonly string[]) => void): void {
  const disabled = disabledPlugins(config);
  for (const { path, engine } of engineReferences(config)) {
    if (registered.includes(engine)) continue;
    // A plugin listed with `enabled: false` is not loaded, so its engines are unknown here: the config may keep
    // naming them (the router leaves such targets out), and the caller is told which plugins could provide them.
    if (disabled.length > 0 && onDisabledPlugin) onDisabledPlugin(encodePointer(path), engine, disabled);
    else throw unknownEngineError(encodePointer(path), engine, registered);
  }
}

/** The plugins the config lists with `enabled: false` (by package name or path). */
export function disabledPlugins(config: SwitchyardConfig): string[] {
  return (config.plugins ?? []).flatMap((entry) => (typeof entry !== 'string' && entry.enabled === false ? [entry.package ?? entry.name ?? '?'] : []));
}
