// Test helpers (not exported from the package): small plugins and engines that record their lifecycle.
import type { EngineV1, SwitchyardPlugin } from '@switchyard/spec';

export function fakeEngine(id: string): EngineV1 {
  return {
    specificationVersion: 'v1',
    id,
    capabilities: { workloads: ['completion'], targets: ['local'], features: [] },
    async doLoad() {},
    async doRun() {
      return { output: { kind: 'text', text: id } };
    },
    async *doStream() {},
    async doUnload() {},
    async health() {
      return { ok: true };
    },
  };
}

export function recordingPlugin(
  name: string,
  log: string[],
  extra: Partial<SwitchyardPlugin<any>> & { fail?: 'register' | 'initialize' | 'shutdown'; engines?: string[] } = {},
): SwitchyardPlugin<any> {
  const { fail, engines = [], ...overrides } = extra;
  const hook = (what: 'register' | 'initialize' | 'shutdown') => {
    log.push(`${what}:${name}`);
    if (fail === what) throw new Error(`${name} ${what} broke`);
  };
  return {
    name,
    version: '1.0.0',
    core: '^0.1.0',
    configSchema: { type: 'object' },
    register(context) {
      hook('register');
      for (const id of engines) context.registerEngine(fakeEngine(id));
    },
    initialize() {
      hook('initialize');
    },
    shutdown() {
      hook('shutdown');
    },
    ...overrides,
  };
}

export const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Awaits a promise that must reject and returns the rejection (fails the test if it resolves). */
export async function rejection<E = Error & { code?: string; details?: Record<string, unknown> }>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a rejection');
}
