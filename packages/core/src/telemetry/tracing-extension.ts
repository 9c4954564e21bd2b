import { defineAppExtension, type AppExtension } from '../app/app-extension.js';
import type { TelemetryConfig } from './telemetry-config.js';
import { installTracing, type InstalledTracing } from './tracing-provider.js';

/** Installs the `telemetry.tracing` provider when the app starts and flushes it when the app shuts down. */
export function createTracingExtension(): AppExtension {
  let installed: InstalledTracing | undefined;
  return defineAppExtension({
    name: 'tracing',
    setup(context) {
      const tracing = (context.config.telemetry as TelemetryConfig | undefined)?.tracing;
      if (!tracing || tracing.enabled === false) return;
      installed = installTracing(tracing);
    },
    async shutdown() {
      await installed?.shutdown();
      installed = undefined;
    },
  });
}
