import 'reflect-metadata';
import { container as rootContainer, inject, injectAll, injectable, type DependencyContainer } from 'tsyringe';

/** Plugins and apps import these from @switchyard/core, never from tsyringe. */
export { inject, injectAll, injectable };
export type { DependencyContainer };

/** A fresh child container per app/tenant; the global container is never written to. */
export function createAppContainer(parent: DependencyContainer = rootContainer): DependencyContainer {
  return parent.createChildContainer();
}
