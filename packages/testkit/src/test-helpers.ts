import { SwitchyardError } from '@switchyard/core';
import type { EngineV1, PluginContext } from '@switchyard/core';

/** Awaits a call that must fail with a SwitchyardError and returns it (throws if it succeeds or fails otherwise). */
export async function rejectionOf(promise: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await promise;
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail with a SwitchyardError, but it succeeded');
}

export interface TestPluginContext<Options> {
  readonly context: PluginContext<Options>;
  /** Engines the plugin registered, in order. */
  readonly engines: EngineV1[];
  /** Every log call as `level message {json}` (to assert what is, and is not, logged). */
  readonly logs: string[];
}

/** A PluginContext for calling a plugin's `register` in a unit test, recording engines and log lines. */
export function createTestPluginContext<Options>(options: Options, baseDir = process.cwd()): TestPluginContext<Options> {
  const engines: EngineV1[] = [];
  const logs: string[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => {
    logs.push(`${level} ${msg ?? ''} ${typeof obj === 'string' ? obj : JSON.stringify(obj)}`);
  };
  const context: PluginContext<Options> = {
    options,
    coreVersion: '0.1.0',
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    container: {
      isRegistered: () => false,
      registerInstance: () => undefined,
      resolve: (token) => {
        throw new Error(`the test plugin context has no ${String(token)}`);
      },
      resolveAll: () => [],
    },
    registerEngine: (engine) => {
      if (engines.some((e) => e.id === engine.id)) {
        throw new SwitchyardError({ code: 'PLUGIN_REGISTRATION_CONFLICT', message: `engine '${engine.id}' is already registered` });
      }
      engines.push(engine);
    },
    baseDir,
  };
  return { context, engines, logs };
}
