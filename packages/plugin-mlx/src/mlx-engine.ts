import { modelNameOption, SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { EngineCapabilities, EngineHealth, EngineModelSpec, EngineRunRequest, EngineRunResult, EngineStreamPart, EngineV1, JsonSchema, PluginLogger } from '@switchyard/spec';
import { OpenAiChatEngine } from '@switchyard/plugin-cloud-llm';
import { checkMlxLmModule, checkMlxPlatform } from './mlx-availability.js';
import type { MlxAvailability } from './mlx-availability.js';
import { DEFAULT_MLX_COMMAND, mlxModelOptionsSchema } from './mlx-options.js';
import type { MlxPluginOptions } from './mlx-options.js';
import { MlxServerSupervisor } from './mlx-server-supervisor.js';

export interface MlxEngineEnvironment {
  readonly platform?: string;
  readonly arch?: string;
}

/**
 * Runs chat on Apple Silicon through mlx-lm's OpenAI-compatible server: attaches to `url`, or spawns and
 * supervises `python3 -m mlx_lm.server`. Requests go through plugin-cloud-llm's OpenAI-compatible engine.
 */
export class MlxEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: EngineCapabilities = { workloads: ['completion', 'stream'], targets: ['local'], features: ['streaming', 'abort', 'system-prompt', 'usage', 'apple-silicon'] };
  /** Checked by the app at start against every `models.overrides.<id>.options` of a model this engine runs. */
  readonly modelOptionsSchema: JsonSchema = mlxModelOptionsSchema;
  readonly supervisor: MlxServerSupervisor | undefined;
  readonly #options: MlxPluginOptions;
  readonly #environment: Required<MlxEngineEnvironment>;
  readonly #logger: PluginLogger | undefined;
  #chat: OpenAiChatEngine | undefined;
  #availability: Promise<MlxAvailability> | undefined;

  constructor(options: MlxPluginOptions, logger?: PluginLogger, environment: MlxEngineEnvironment = {}) {
    if (!options.url && !options.model) {
      throw new SwitchyardError({ code: 'PLUGIN_OPTIONS_INVALID', message: 'plugin-mlx: set either /url (attach to a running server) or /model (spawn one)', details: { pointer: '/url', expected: 'url or model', found: 'neither' } });
    }
    this.id = options.id ?? 'mlx';
    this.#options = options;
    this.#logger = logger;
    this.#environment = { platform: environment.platform ?? process.platform, arch: environment.arch ?? process.arch };
    if (!options.url) {
      const restart = options.restart ?? {};
      this.supervisor = new MlxServerSupervisor({
        engineId: this.id,
        command: [...(options.command ?? DEFAULT_MLX_COMMAND), '--model', options.model!],
        ...(options.port !== undefined ? { port: options.port } : {}),
        readinessTimeoutMs: options.readinessTimeoutMs ?? 120_000,
        probeIntervalMs: options.probeIntervalMs ?? 250,
        maxRestarts: restart.maxRestarts ?? 5,
        restartBaseDelayMs: restart.baseDelayMs ?? 500,
        restartMaxDelayMs: restart.maxDelayMs ?? 30_000,
        stopTimeoutMs: options.stopTimeoutMs ?? 5000,
        ...(logger ? { logger } : {}),
      });
    }
  }

  /** Whether MLX can run here: platform first, then (for the default command) the mlx_lm module. Cached. */
  availability(): Promise<MlxAvailability> {
    this.#availability ??= (async () => {
      if (this.#options.url) return { ok: true };
      if (this.#options.requireAppleSilicon ?? true) {
        const platform = checkMlxPlatform(this.#environment.platform, this.#environment.arch);
        if (!platform.ok) return platform;
      }
      const command = this.#options.command ?? DEFAULT_MLX_COMMAND;
      if (command.includes('mlx_lm.server')) return checkMlxLmModule(command[0]!);
      return { ok: true };
    })();
    return this.#availability;
  }

  async #ready(signal: AbortSignal): Promise<OpenAiChatEngine> {
    const availability = await this.availability();
    if (!availability.ok) throw new SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: `${this.id}: ${availability.reason}`, details: { engine: this.id, reason: availability.reason } });
    throwIfAborted(signal, `${this.id} call`);
    if (this.supervisor) await this.supervisor.ensureReady();
    throwIfAborted(signal, `${this.id} call`);
    const base = this.#options.url ?? this.supervisor!.url!;
    this.#chat ??= new OpenAiChatEngine(
      {
        id: this.id,
        kind: 'openai-compatible',
        baseURL: `${base.replace(/\/$/, '')}/v1`,
        timeoutMs: this.#options.timeoutMs ?? 120_000,
        ...(this.#options.prices ? { prices: this.#options.prices } : {}),
      },
      this.#logger,
    );
    return this.#chat;
  }

  async doLoad(model: EngineModelSpec, signal: AbortSignal): Promise<void> {
    // Options first: a bad one never starts the server.
    const name = modelNameOption(this.id, model, "the server's model name") ?? this.#options.model ?? model.id;
    const chat = await this.#ready(signal);
    await chat.doLoad({ ...model, options: { model: name } }, signal);
  }

  async doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult> {
    return (await this.#ready(signal)).doRun(request, signal);
  }

  async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    yield* (await this.#ready(signal)).doStream(request, signal);
  }

  async doUnload(modelId: string, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal, `${this.id} unload`);
    await this.#chat?.doUnload(modelId);
  }

  async health(): Promise<EngineHealth> {
    const availability = await this.availability();
    if (!availability.ok) return { ok: false, reason: availability.reason ?? 'MLX is not available', details: { platform: `${this.#environment.platform}-${this.#environment.arch}` } };
    if (this.supervisor) {
      const state = this.supervisor.state;
      if (state === 'failed' || state === 'stopped') return { ok: false, reason: `${this.id}: the MLX server is ${state}`, details: this.supervisor.status };
      // Not started yet (or restarting): available, it starts on first use.
      if (state !== 'ready') return { ok: true, details: this.supervisor.status };
    }
    const chat = this.#chat ?? (await this.#ready(new AbortController().signal));
    const probe = await chat.health();
    return { ...probe, details: { ...probe.details, ...this.supervisor?.status } };
  }

  /** Stops a spawned server (attach mode leaves the server alone). */
  async close(): Promise<void> {
    await this.supervisor?.stop();
  }
}
