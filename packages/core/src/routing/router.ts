import type { CallSignal, EngineV1, PriceTable, InferenceRequest, PolicyDecision, RequestTarget, RoutingDecision, Target } from '@switchyard/spec';
import { SwitchyardError, abortSignalOf } from '@switchyard/spec';
import type { ExecutionTarget } from '../executor/execution-target.js';
import type { Executor } from '../executor/executor.js';
import { inputText } from '../policy/policy-engine.js';
import { wantsLargeModel, type Classification, type PromptClassifier } from './classification.js';
import { LruCache } from './lru-cache.js';
import { RuleBasedClassifier } from './rule-based-classifier.js';
import type { ChainEntry, DeploymentGroup, GroupMember, LoadStrategy, RouteConfig, RoutingConfig } from './routing-config.js';

/** The router's answer: the first decision plus the ordered chain of targets to try. */
export interface RoutePlan {
  readonly decision: RoutingDecision;
  readonly chain: readonly ExecutionTarget[];
  /** False when pinned or fallbacks were disabled. */
  readonly allowFallback: boolean;
  readonly classification?: Classification;
  readonly cached: boolean;
}

const TARGET_ALIASES: Record<RequestTarget, Target | undefined> = {
  local: 'local', device: 'local', edge: 'edge', server: 'edge', cloud: 'cloud', auto: undefined,
};

/** Exponentially weighted latency per engine, fed by the orchestrator (lowest-latency strategy). */
export class LatencyTracker {
  private readonly ewma = new Map<string, number>();
  record(engine: string, ms: number): void {
    const prev = this.ewma.get(engine);
    this.ewma.set(engine, prev === undefined ? ms : prev * 0.8 + ms * 0.2);
  }
  get(engine: string): number {
    return this.ewma.get(engine) ?? 0;
  }
}

export interface RouterOptions {
  readonly config?: RoutingConfig;
  readonly executor: Executor;
  /** Classifiers by kind (`rules` is always present). */
  readonly classifiers?: Readonly<Record<string, PromptClassifier>>;
  /** Builds `llm`/`model` classifiers that run on a route's `classifierModel`. */
  readonly createClassifier?: (kind: 'llm' | 'model', model: string) => PromptClassifier;
  readonly latency?: LatencyTracker;
  /** USD per million tokens (telemetry.prices) for the lowest-cost strategy, keyed `engine:model` or `model`. */
  readonly prices?: PriceTable;
  /** Random source of the `weighted` strategy (tests pass a seeded one). */
  readonly random?: () => number;
}

/**
 * Decides where a request runs: rules over device/network metrics, small-vs-large classification, load-aware choice
 * within explicit groups of equivalent deployments, placement pins. Returns the fallback chain, which the
 * orchestrator walks in order; a chain written in config is never reordered by load.
 */
export class Router {
  private readonly cache: LruCache<string, Classification>;
  private readonly classifiers: Record<string, PromptClassifier>;
  readonly latency: LatencyTracker;

  constructor(private readonly options: RouterOptions) {
    this.cache = new LruCache(options.config?.cacheSize ?? 1000);
    this.classifiers = { rules: new RuleBasedClassifier(), ...options.classifiers };
    this.latency = options.latency ?? new LatencyTracker();
    checkGroups(options.config);
  }

  get cacheStats(): { hits: number; misses: number; size: number } {
    return { hits: this.cache.hits, misses: this.cache.misses, size: this.cache.size };
  }

  async route(request: InferenceRequest, policy: PolicyDecision, signal?: CallSignal): Promise<RoutePlan> {
    const config = this.options.config ?? {};
    const placement = request.placement;
    const pinned = placement?.mode === 'pin';
    const requested = placement?.target ?? (request.target ? TARGET_ALIASES[request.target] : undefined);

    // 1. Explicit `engine:model`.
    const colon = request.model.indexOf(':');
    if (colon > 0 && this.options.executor.hasEngine(request.model.slice(0, colon))) {
      const engine = this.options.executor.getEngine(request.model.slice(0, colon));
      // The prefix already names the one engine: a placement naming another cannot be honoured (pin or prefer).
      if (placement?.engine !== undefined && placement.engine !== engine.id) {
        throw new SwitchyardError({
          code: 'INVALID_INPUT',
          message: `placement.engine '${placement.engine}' contradicts model '${request.model}', which names engine '${engine.id}'; give the model without an engine prefix, or the same engine`,
          details: { field: 'placement.engine', model: request.model, engine: placement.engine },
        });
      }
      if (pinned && requested && !engine.capabilities.targets.includes(requested)) {
        throw new SwitchyardError({
          code: 'ROUTE_UNAVAILABLE',
          message: `Pinned placement (${engine.id}@${requested}) cannot serve '${request.model}': engine '${engine.id}' runs at ${engine.capabilities.targets.join(', ') || 'no target'}; pins never fall back`,
          details: { model: request.model, engine: engine.id, target: requested },
        });
      }
      const target = this.targetOf(engine, requested);
      const chain = [{ engine: engine.id, model: request.model.slice(colon + 1), target }];
      // Addressed directly: no routed alternatives, but explicit per-call fallbacks (pipeline stages) still apply,
      // unless pinned (a pin runs on exactly that engine or fails with its error).
      return this.plan(chain, 'pin', pinned ? `pinned to ${engine.id}@${target}` : `explicit engine '${engine.id}'`, !pinned || placement?.allowFallback === true);
    }

    // 2. Candidates from a named route or the model's deployments.
    const route = config.routes?.[request.model];
    let candidates: ExecutionTarget[];
    let source = 'default';
    let reason: string;
    let classification: Classification | undefined;
    let cached = false;
    if (route && (route.small !== undefined || route.large !== undefined)) {
      const text = inputText(request.input) ?? '';
      ({ classification, cached } = await this.classify(request.model, route, text, signal));
      const large = wantsLargeModel(classification, route.threshold);
      candidates = [...this.group(large ? route.large : route.small), ...this.group(large ? route.small : route.large), ...this.chain(route.fallback)];
      source = 'classifier';
      reason =
        `${classification.category}/${classification.complexity} (score ${classification.score}` +
        `${route.threshold !== undefined ? ` vs threshold ${route.threshold}` : ''}) -> ${large ? 'large' : 'small'} model` +
        (large && classification.complexity === 'complex' ? ' with thinking' : '');
    } else if (route) {
      candidates = [...this.chain(route.targets), ...this.chain(route.fallback)];
      reason = `route '${request.model}'`;
      source = 'rule';
    } else {
      candidates = this.deploymentsFor(request);
      reason = `model '${request.model}'`;
    }
    // A chain written as a route's `targets` keeps its order unless the request itself says otherwise.
    const writtenChain = route !== undefined && source === 'rule';
    if (candidates.length === 0) {
      throw new SwitchyardError({
        code: 'ROUTE_UNAVAILABLE',
        message: `No registered engine can serve '${request.model}' for workload '${request.workload}'`,
        details: { model: request.model, workload: request.workload },
      });
    }

    // 3. Pin / prefer placement.
    if (placement?.engine || (pinned && requested)) {
      const matches = (c: ExecutionTarget) => (!placement?.engine || c.engine === placement.engine) && (!requested || c.target === requested);
      const hit = candidates.filter(matches);
      if (pinned) {
        if (hit.length === 0) {
          throw new SwitchyardError({
            code: 'ROUTE_UNAVAILABLE',
            message: `Pinned placement (${placement?.engine ?? ''}${requested ? `@${requested}` : ''}) cannot serve '${request.model}'; pins never fall back`,
            details: { model: request.model, engine: placement?.engine, target: requested },
          });
        }
        return this.plan(hit.slice(0, 1), 'pin', `pinned to ${hit[0]!.engine}@${hit[0]!.target}`, false, classification, cached);
      }
      candidates = [...hit, ...candidates.filter((c) => !matches(c)), ...this.globalFallbacks(request, route !== undefined)];
      return this.plan(candidates, 'rule', `placement prefers ${placement?.engine ?? requested}; ${reason}`, placement?.allowFallback !== false, classification, cached);
    }

    // 4. Device/network rules move one target kind to the front, keeping the order within it (classification
    // already chose the group). A written chain moves only for the request's own signals, never for defaults.
    if (source !== 'classifier') {
      const preferred = requested
        ? { target: requested, why: `requested target ${requested}`, source: 'rule', fromRequest: true }
        : this.preferredTarget(request, policy, candidates);
      const applies = preferred !== undefined && (preferred.fromRequest || !writtenChain);
      const first = applies ? candidates.filter((c) => c.target === preferred.target) : [];
      if (applies && first.length > 0) {
        candidates = [...first, ...candidates.filter((c) => c.target !== preferred.target)];
        reason = `${preferred.why}; ${reason}`;
        const balanced = !writtenChain && (this.options.config?.models?.[request.model]?.length ?? 0) > 1;
        source = balanced && first.length > 1 && preferred.source === 'default' ? 'load' : preferred.source;
      }
    }
    candidates.push(...this.globalFallbacks(request, route !== undefined));
    return this.plan(candidates, source, reason, placement?.allowFallback !== false, classification, cached);
  }

  /**
   * The engine a request for `model` goes to first when nothing in the request moves it: the `engine:` prefix, the
   * first written target of a route (a classification route: its first `small` deployment), the first deployment
   * of `routing.models.<id>`, the registry's preferred engine, else the first engine. Admission counts a task
   * against it (a route, like any model ref, queues on a real engine, never on a catch-all key).
   */
  primaryEngine(model: string): string | undefined {
    const executor = this.options.executor;
    const colon = model.indexOf(':');
    if (colon > 0 && executor.hasEngine(model.slice(0, colon))) return model.slice(0, colon);
    const config = this.options.config ?? {};
    const route = config.routes?.[model];
    const members: readonly (ChainEntry | GroupMember)[] = route ? [...(route.targets ?? []), ...[route.small ?? []].flat(), ...[route.large ?? []].flat(), ...(route.fallback ?? [])] : (config.models?.[model] ?? []);
    for (const entry of members) {
      for (const member of isGroup(entry) ? entry.group : [entry]) {
        const engineId = typeof member === 'string' ? member.slice(0, member.indexOf(':')) : member.engine;
        if (executor.hasEngine(engineId)) return engineId;
      }
    }
    let preferred: string | undefined;
    try {
      preferred = executor.registry?.get(model)?.engine;
    } catch {
      preferred = undefined; // a lookup that fails (a pack not installed) fails the task's run, with its own error
    }
    if (preferred !== undefined && executor.hasEngine(preferred)) return preferred;
    return executor.engines[0]?.id;
  }

  /**
   * Global `routing.fallbacks`: `engine:model` is one deployment; a target kind expands, for a model id, to every
   * engine there with that model. A route name is no model an engine knows: for a route a target kind adds nothing
   * beyond the route's own deployments (already in its chain), so it never sends the route name upstream nor
   * retries the engine that just failed. Entries are checked at load (checkEngineReferences); a disabled engine's
   * are left out.
   */
  private globalFallbacks(request: InferenceRequest, isRoute: boolean): ExecutionTarget[] {
    const out: ExecutionTarget[] = [];
    for (const entry of this.options.config?.fallbacks ?? []) {
      if (entry === 'local' || entry === 'edge' || entry === 'cloud') {
        if (isRoute) continue;
        for (const engine of this.options.executor.enginesFor(request.workload, entry)) out.push({ engine: engine.id, model: request.model, target: entry });
      } else if (this.present(entry)) {
        out.push(this.resolve(entry));
      }
    }
    return out;
  }

  private plan(
    chain: ExecutionTarget[],
    source: string,
    reason: string,
    allowFallback: boolean,
    classification?: Classification,
    cached = false,
  ): RoutePlan {
    const unique = chain.filter((c, i) => chain.findIndex((d) => d.engine === c.engine && d.model === c.model) === i);
    const first = unique[0]!;
    return {
      decision: { target: first.target, engine: first.engine, model: first.model, reason, source },
      chain: allowFallback ? unique : unique.slice(0, 1),
      allowFallback,
      ...(classification ? { classification } : {}),
      cached,
    };
  }

  private async classify(routeName: string, route: RouteConfig, text: string, signal?: CallSignal) {
    const kind = route.classifier ?? 'rules';
    if ((kind === 'llm' || kind === 'model') && route.classifierModel && this.options.createClassifier) {
      this.classifiers[`${kind}:${route.classifierModel}`] ??= this.options.createClassifier(kind, route.classifierModel);
    }
    const classifier = this.classifiers[`${kind}:${route.classifierModel ?? ''}`] ?? this.classifiers[kind];
    if (!classifier) {
      throw new SwitchyardError({
        code: 'CONFIG_INVALID',
        message: `routing.routes.${routeName}.classifier is '${kind}' but no such classifier is configured`,
        details: { pointer: `/routing/routes/${routeName}/classifier`, found: kind, expected: Object.keys(this.classifiers) },
      });
    }
    const key = `${kind}\u0000${route.classifierModel ?? ""}\u0000${text}`;
    const hit = this.cache.get(key);
    if (hit) return { classification: hit, cached: true };
    // A classifier may call a model or an API: it gets a real AbortSignal (made now for a Cancellation).
    const classification = await classifier.classify(text, signal && abortSignalOf(signal));
    this.cache.set(key, classification);
    return { classification, cached: false };
  }

  /** Rule-based device/network routing. */
  private preferredTarget(
    request: InferenceRequest,
    policy: PolicyDecision,
    candidates: readonly ExecutionTarget[],
  ): { target: Target; why: string; source: string; fromRequest: boolean } | undefined {
    const config = this.options.config ?? {};
    const m = request.metrics ?? {};
    const hasLocal = candidates.some((c) => c.target === 'local');
    const remote = candidates.find((c) => c.target !== 'local')?.target;
    if (policy.outcome === 'redact' && hasLocal) return { target: 'local', why: `policy '${policy.rule_id}' keeps sensitive input local`, source: 'rule', fromRequest: true };
    if (m.online === false && hasLocal) return { target: 'local', why: 'device offline', source: 'rule', fromRequest: true };
    const rtt = config.rttThresholdMs ?? 300;
    if (typeof m.network_rtt === 'number' && m.network_rtt > rtt && hasLocal) return { target: 'local', why: `network RTT ${m.network_rtt} ms > ${rtt} ms`, source: 'rule', fromRequest: true };
    const battery = config.batteryThreshold ?? 15;
    if (typeof m.battery === 'number' && m.battery < battery && remote) return { target: remote, why: `battery ${m.battery}% < ${battery}%`, source: 'rule', fromRequest: true };
    if (!hasLocal && remote) return { target: remote, why: 'model not available locally', source: 'rule', fromRequest: false };
    if (m.has_accelerator === true && hasLocal) return { target: 'local', why: 'accelerator present', source: 'rule', fromRequest: true };
    const fallbackTarget = config.defaultTarget ?? config.default ?? 'local';
    if (candidates.some((c) => c.target === fallbackTarget)) return { target: fallbackTarget, why: `default target ${fallbackTarget}`, source: 'default', fromRequest: false };
    return undefined;
  }

  /** An ordered chain: single deployments stay where they are written, a `group` entry is balanced in place. */
  private chain(entries: readonly ChainEntry[] | undefined): ExecutionTarget[] {
    return (entries ?? []).flatMap((entry) => (isGroup(entry) ? this.balance(entry.group, entry.loadStrategy) : this.present(entry) ? [this.resolve(entry)] : []));
  }

  /**
   * Whether the deployment's engine is in this router's executor. One that is not was disabled (`engines.<id>.enabled:
   * false` keeps it out of the router); an engine no plugin registered is refused at load (checkEngineReferences).
   */
  private present(ref: GroupMember): boolean {
    return this.options.executor.hasEngine(typeof ref === 'string' ? ref.slice(0, ref.indexOf(':')) : ref.engine);
  }

  /** A list of equivalent deployments (`small`/`large`, `routing.models.<id>`), balanced as one group. */
  private group(members: GroupMember | readonly GroupMember[] | undefined): ExecutionTarget[] {
    if (members === undefined) return [];
    return this.balance((Array.isArray(members) ? members : [members]) as readonly GroupMember[]);
  }

  /** Orders one group of equivalent deployments by its load strategy; ties keep the listed order. */
  private balance(members: readonly GroupMember[], groupStrategy?: LoadStrategy): ExecutionTarget[] {
    const resolved = members.filter((member) => this.present(member)).map((member) => ({ target: this.resolve(member), weight: typeof member === 'string' ? undefined : member.weight }));
    const weighted = resolved.some((m) => m.weight !== undefined);
    const strategy = groupStrategy ?? (weighted ? 'weighted' : (this.options.config?.loadStrategy ?? 'least-busy'));
    if (strategy === 'ordered' || resolved.length < 2) return resolved.map((m) => m.target);
    if (strategy === 'weighted') {
      // Weighted sampling without replacement (Efraimidis-Spirakis): the first pick is proportional to weight.
      const random = this.options.random ?? Math.random;
      return resolved
        .map((m) => ({ target: m.target, key: Math.pow(random(), 1 / (m.weight ?? 1)) }))
        .sort((a, b) => b.key - a.key)
        .map((m) => m.target);
    }
    const executor = this.options.executor;
    const price = (c: ExecutionTarget) => {
      const p = this.options.prices?.[`${c.engine}:${c.model}`] ?? this.options.prices?.[c.model];
      return p ? p.inputPerMillion + p.outputPerMillion : Number.POSITIVE_INFINITY;
    };
    const key = (c: ExecutionTarget) =>
      strategy === 'least-busy' ? executor.guard(c.engine).load : strategy === 'lowest-cost' ? price(c) : this.latency.get(c.engine);
    return resolved.map((m) => m.target).sort((a, b) => key(a) - key(b));
  }

  private resolve(ref: GroupMember): ExecutionTarget {
    const engineId = typeof ref === 'string' ? ref.slice(0, ref.indexOf(':')) : ref.engine;
    const model = typeof ref === 'string' ? ref.slice(ref.indexOf(':') + 1) : ref.model;
    const engine = this.options.executor.getEngine(engineId);
    const explicit = typeof ref === 'string' ? undefined : ref.target;
    return { engine: engine.id, model, target: explicit ?? this.targetOf(engine, undefined) };
  }

  private deploymentsFor(request: InferenceRequest): ExecutionTarget[] {
    const configured = this.options.config?.models?.[request.model];
    if (configured) return this.group(configured);
    const registered = this.options.executor.registry?.get(request.model);
    const engines = this.options.executor.enginesFor(request.workload);
    const ordered = registered?.engine
      ? [...engines.filter((e) => e.id === registered.engine), ...engines.filter((e) => e.id !== registered.engine)]
      : engines;
    return ordered.map((e) => ({ engine: e.id, model: request.model, target: this.targetOf(e, undefined) }));
  }

  private targetOf(engine: EngineV1, wanted: Target | undefined): Target {
    if (wanted && engine.capabilities.targets.includes(wanted)) return wanted;
    return engine.capabilities.targets[0] ?? 'local';
  }
}

function isGroup(entry: ChainEntry): entry is DeploymentGroup {
  return typeof entry === 'object' && 'group' in entry;
}

/** A weight only means something to the `weighted` strategy: weights under another strategy are a config error. */
function checkGroups(config: RoutingConfig | undefined): void {
  for (const [name, route] of Object.entries(config?.routes ?? {})) {
    for (const key of ['targets', 'fallback'] as const) {
      (route[key] ?? []).forEach((entry, index) => {
        if (!isGroup(entry) || entry.loadStrategy === undefined || entry.loadStrategy === 'weighted') return;
        if (entry.group.some((member) => typeof member === 'object' && member.weight !== undefined)) {
          throw new SwitchyardError({
            code: 'CONFIG_INVALID',
            message: `routing.routes.${name}.${key}[${index}]: members have a weight but loadStrategy is '${entry.loadStrategy}'; weights need loadStrategy 'weighted' (or leave it out)`,
            details: { pointer: `/routing/routes/${name}/${key}/${index}/loadStrategy`, expected: 'weighted', found: entry.loadStrategy },
          });
        }
      });
    }
  }
}
