import { validatePluginOptions, VERSION as CORE_VERSION } from '@switchyard/core';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineV1, PluginContext, SwitchyardPlugin } from '@switchyard/spec';

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

function isPlugin(value: unknown): value is SwitchyardPlugin<unknown> {
  const candidate = value as Partial<SwitchyardPlugin<unknown>> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.register === 'function' && typeof candidate.configSchema === 'object';
}

/**
 * A PluginContext for calling a plugin's `register` in a unit test, recording engines and log lines.
 *
 * Pass the plugin manifest first to get what the host hands it: the options are validated against its
 * `configSchema` with the host's own validator, defaults applied (bad options throw the host's PLUGIN_OPTIONS_INVALID).
 * Passing bare options skips that and hands them over as given.
 *
 * ```ts
 * const { context, engines, logs } = createTestPluginContext(myPlugin, { apiKey: 'k' });
 * await myPlugin.register(context);
 * ```
 */
export function createTestPluginContext<Options>(plugin: SwitchyardPlugin<Options>, options?: unknown, baseDir?: string): TestPluginContext<Options>;
export function createTestPluginContext<Options>(options: Options, baseDir?: string): TestPluginContext<Options>;
export function createTestPluginContext<Options>(first: Options | SwitchyardPlugin<Options>, second?: unknown, third?: string): TestPluginContext<Options> {
  let options: Options;
  let baseDir: string;
  if (isPlugin(first)) {
    options = validatePluginOptions(first.name, first.configSchema, second ?? {}) as Options;
    baseDir = third ?? process.cwd();
  } else {
    options = first as Options;
    baseDir = typeof second === 'string' ? second : process.cwd();
  }
  const engines: EngineV1[] = [];
  const logs: string[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => {
    logs.push(`${level} ${msg ?? ''} ${typeof obj === 'string' ? obj : JSON.stringify(obj)}`);
  };
  const context: PluginContext<Options> = {
    options,
    coreVersion: CORE_VERSION,
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
