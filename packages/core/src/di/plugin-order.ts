import { SwitchyardError } from '@switchyard/spec';

interface Named {
  readonly name: string;
  readonly dependsOn?: readonly string[];
}

/**
 * Orders plugins so every plugin comes after the plugins it depends on; independent plugins keep their
 * given order. A missing dependency or a cycle is PLUGIN_DEPENDENCY_MISSING.
 */
export function orderByDependencies<T extends Named>(plugins: readonly T[]): T[] {
  const byName = new Map(plugins.map((p) => [p.name, p]));
  for (const plugin of plugins) {
    for (const dependency of plugin.dependsOn ?? []) {
      if (!byName.has(dependency)) {
        throw new SwitchyardError({
          code: 'PLUGIN_DEPENDENCY_MISSING',
          message: `plugin '${plugin.name}' depends on plugin '${dependency}', which is not loaded (loaded: ${[...byName.keys()].join(', ')})`,
          details: { plugin: plugin.name, dependency },
        });
      }
    }
  }
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: T, path: string[]): void => {
    const current = state.get(plugin.name);
    if (current === 'done') return;
    if (current === 'visiting') {
      const cycle = [...path.slice(path.indexOf(plugin.name)), plugin.name];
      throw new SwitchyardError({
        code: 'PLUGIN_DEPENDENCY_MISSING',
        message: `plugin dependencies form a cycle: ${cycle.join(' -> ')}`,
        details: { plugin: plugin.name, cycle },
      });
    }
    state.set(plugin.name, 'visiting');
    for (const dependency of plugin.dependsOn ?? []) visit(byName.get(dependency)!, [...path, plugin.name]);
    state.set(plugin.name, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}
