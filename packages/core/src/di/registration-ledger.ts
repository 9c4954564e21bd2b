import type { DependencyContainer } from 'tsyringe';
import type { EngineV1, PluginContainer } from '@switchyard/spec';
import { SwitchyardError, TOKENS } from '@switchyard/spec';
import { textInputsProblem } from '../orchestrator/text-inputs.js';

/** Who registered what in an app container: refuses a plugin overwriting another owner's token or engine id. */
export class RegistrationLedger {
  private readonly tokenOwners = new Map<symbol, string>();
  private readonly engineOwners = new Map<string, string>();
  private readonly engineList: EngineV1[] = [];

  constructor(private readonly container: DependencyContainer) {}

  get engines(): readonly EngineV1[] {
    return this.engineList;
  }

  ownerOfEngine(id: string): string | undefined {
    return this.engineOwners.get(id);
  }

  /** Records `token` as owned by `owner` (the app itself registers as 'app'). */
  registerInstance<T>(owner: string, token: symbol, value: T): void {
    if (token === TOKENS.Engine) {
      throw new SwitchyardError({
        code: 'PLUGIN_REGISTRATION_CONFLICT',
        message: `${describeOwner(owner)} must register engines with registerEngine(), not under ${String(token)}`,
        details: { plugin: owner, token: String(token) },
      });
    }
    const current = this.tokenOwners.get(token);
    const foreign = current !== undefined ? current !== owner : this.container.isRegistered(token, true);
    if (foreign) {
      throw new SwitchyardError({
        code: 'PLUGIN_REGISTRATION_CONFLICT',
        message: `${describeOwner(owner)} cannot register ${String(token)}: it is already registered by ${describeOwner(current ?? 'app')}`,
        details: { plugin: owner, token: String(token), owner: current ?? 'app' },
      });
    }
    this.tokenOwners.set(token, owner);
    this.container.registerInstance(token, value);
  }

  registerEngine(owner: string, engine: EngineV1): void {
    assertEngineShape(engine);
    const current = this.engineOwners.get(engine.id);
    if (current !== undefined) {
      throw new SwitchyardError({
        code: 'PLUGIN_REGISTRATION_CONFLICT',
        message: `${describeOwner(owner)} cannot register engine '${engine.id}': it is already registered by ${describeOwner(current)}`,
        details: { plugin: owner, engine: engine.id, owner: current },
      });
    }
    this.engineOwners.set(engine.id, owner);
    this.engineList.push(engine);
    this.container.registerInstance(TOKENS.Engine, engine);
  }

  /** The DI surface handed to one plugin. */
  viewFor(owner: string): PluginContainer {
    const container = this.container;
    return {
      isRegistered: (token) => container.isRegistered(token, true),
      registerInstance: (token, value) => this.registerInstance(owner, token, value),
      resolve: (token) => container.resolve(token),
      resolveAll: (token) => (container.isRegistered(token, true) ? container.resolveAll(token) : []),
    };
  }
}

function describeOwner(owner: string): string {
  return owner === 'app' ? 'the app' : `plugin '${owner}'`;
}

function assertEngineShape(engine: EngineV1): void {
  const problems: string[] = [];
  if (!engine || typeof engine !== 'object') throw new TypeError('registerEngine() needs an EngineV1 object');
  if (engine.specificationVersion !== 'v1') problems.push(`specificationVersion must be 'v1' (found ${JSON.stringify(engine.specificationVersion)})`);
  if (typeof engine.id !== 'string' || engine.id === '') problems.push('id must be a non-empty string');
  if (!engine.capabilities || !Array.isArray(engine.capabilities.workloads)) problems.push('capabilities.workloads must be an array');
  const textInputs = textInputsProblem(engine.capabilities?.textInputs);
  if (textInputs) problems.push(textInputs);
  for (const method of ['doLoad', 'doRun', 'doStream', 'doUnload', 'health'] as const) {
    if (typeof engine[method] !== 'function') problems.push(`${method} must be a function`);
  }
  if (problems.length > 0) throw new TypeError(`invalid engine${typeof engine.id === 'string' ? ` '${engine.id}'` : ''}: ${problems.join('; ')}`);
}
