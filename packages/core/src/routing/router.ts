import type { EngineV1, PriceTable, InferenceRequest, PolicyDecision, RequestTarget, RoutingDecision, Target } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import type { ExecutionTarget } from '../executor/execution-target.js';
import type { Executor } from '../executor/executor.js';
import { inputText } from '../policy/policy-engine.js';
import { wantsLargeModel, type Classification, type PromptClassifier } from './classification.js';
import { LruCache } from './lru-cache.js';
import { RuleBasedClassifier } from './rule-based-classifier.js';
import type { DeploymentRef, RouteConfig, RoutingConfig } from './routing-config.js';

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
}

/**
 * Decides where a request runs: rules over device/network metrics, small-vs-large classification, load-aware choice
 * among equivalent deployments, placement pins. Returns the fallback chain; the orchestrator walks it.
 */
export class Router {
  private readonly cache: LruCache<string, Classification>;
  private readonly classifiers: Record<string, PromptClassifier>;
  readonly latency: LatencyTracker;

  constructor(private readonly options: RouterOptions) {
    this.cache = new LruCache(options.config?.cacheSize ?? 1000);
    this.classifiers = { rules: new RuleBasedClassifier(), ...options.classifiers };
    this.latency = options.latency ?? new LatencyTracker();
  }

  get cacheStats(): { hits: number; misses: number; size: number } {
    return { hits: this.cache.hits, misses: this.cache.misses, size: this.cache.size };
  }

  async route(request: InferenceRequest, policy: PolicyDecision, signal?: AbortSignal): Promise<RoutePlan> {
    const config = this.options.config ?? {};
    const placement = request.placement;
    const pinned = placement?.mode === 'pin';
    const requested = placement?.target ?? (request.target ? TARGET_ALIASES[request.target] : undefined);

    // 1. Explicit `engine:model`.
    const colon = request.model.indexOf(':');
    if (colon > 0 && this.options.executor.hasEngine(request.model.slice(0, colon))) {
      const engine = this.options.executor.getEngine(request.model.slice(0, colon));
      const target = this.targetOf(engine, requested);
      const chain = [{ engine: engine.id, model: request.model.slice(colon + 1), target }];
      // Addressed directly: no routed alternatives, but explicit per-call fallbacks (pipeline stages) still apply.
      return this.plan(chain, 'pin', `explicit engine '${engine.id}'`, !pinned || placement?.allowFallback === true);
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
      const chosen = this.resolveRefs(large ? route.large : route.small);
      const other = this.resolveRefs(large ? route.small : route.large);
      candidates = [...this.balance(chosen), ...this.balance(other), ...this.resolveRefs(route.fallback)];
      source = 'classifier';
      reason =
        `${classification.category}/${classification.complexity} (score ${classification.score}` +
        `${route.threshold !== undefined ? ` vs threshold ${route.threshold}` : ''}) -> ${large ? 'large' : 'small'} model` +
        (large && classification.complexity === 'complex' ? ' with thinking' : '');
    } else if (route) {
      candidates = [...this.resolveRefs(route.targets), ...this.resolveRefs(route.fallback)];
      reason = `route '${request.model}'`;
      source = 'rule';
    } else {
      candidates = this.deploymentsFor(request);
      reason = `model '${request.model}'`;
    }
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
      candidates = [...hit, ...candidates.filter((c) => !matches(c))];
      return this.plan(candidates, 'rule', `placement prefers ${placement?.engine ?? requested}; ${reason}`, placement?.allowFallback !== false, classification, cached);
    }

    // 4. Device/network rules reorder by target (classification already chose the group).
    if (source !== 'classifier') {
      const preferred = requested
        ? { target: requested, why: `requested target ${requested}`, source: 'rule' }
        : this.preferredTarget(request, policy, candidates);
      const first = preferred ? candidates.filter((c) => c.target === preferred.target) : [];
      if (preferred && first.length > 0) {
        candidates = [...this.balance(first), ...candidates.filter((c) => c.target !== preferred.target)];
        reason = `${preferred.why}; ${reason}`;
        source = first.length > 1 && preferred.source === 'default' ? 'load' : preferred.source;
      } else {
        candidates = this.balance(candidates);
      }
    }
    candidates.push(...this.globalFallbacks(request));
    return this.plan(candidates, source, reason, placement?.allowFallback !== false, classification, cached);
  }

  /** Global `routing.fallbacks`: a target name expands to every engine there; `engine:model` is one deployment. */
  private globalFallbacks(request: InferenceRequest): ExecutionTarget[] {
    const out: ExecutionTarget[] = [];
    for (const entry of this.options.config?.fallbacks ?? []) {
      if (entry === 'local' || entry === 'edge' || entry === 'cloud') {
        for (const engine of this.options.executor.enginesFor(request.workload, entry)) out.push({ engine: engine.id, model: request.model, target: entry });
      } else if (this.options.executor.hasEngine(entry.slice(0, entry.indexOf(':')))) {
        out.push(...this.resolveRefs(entry));
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

  private async classify(routeName: string, route: RouteConfig, text: string, signal?: AbortSignal) {
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
    const classification = await classifier.classify(text, signal);
    this.cache.set(key, classification);
    return { classification, cached: false };
  }

  /** Rule-based device/network routing. */
  private preferredTarget(
    request: InferenceRequest,
    policy: PolicyDecision,
    candidates: readonly ExecutionTarget[],
  ): { target: Target; why: string; source: string } | undefined {
    const config = this.options.config ?? {};
    const m = request.metrics ?? {};
    const hasLocal = candidates.some((c) => c.target === 'local');
    const remote = candidates.find((c) => c.target !== 'local')?.target;
    if (policy.outcome === 'redact' && hasLocal) return { target: 'local', why: `policy '${policy.rule_id}' keeps sensitive input local`, source: 'rule' };
    if (m.online === false && hasLocal) return { target: 'local', why: 'device offline', source: 'rule' };
    const rtt = config.rttThresholdMs ?? 300;
    if (typeof m.network_rtt === 'number' && m.network_rtt > rtt && hasLocal) return { target: 'local', why: `network RTT ${m.network_rtt} ms > ${rtt} ms`, source: 'rule' };
    const battery = config.batteryThreshold ?? 15;
    if (typeof m.battery === 'number' && m.battery < battery && remote) return { target: remote, why: `battery ${m.battery}% < ${battery}%`, source: 'rule' };
    if (!hasLocal && remote) return { target: remote, why: 'model not available locally', source: 'rule' };
    if (m.has_accelerator === true && hasLocal) return { target: 'local', why: 'accelerator present', source: 'rule' };
    const fallbackTarget = config.defaultTarget ?? config.default ?? 'local';
    if (candidates.some((c) => c.target === fallbackTarget)) return { target: fallbackTarget, why: `default target ${fallbackTarget}`, source: 'default' };
    return undefined;
  }

  /** Orders equivalent deployments by the load strategy. */
  private balance(group: readonly ExecutionTarget[]): ExecutionTarget[] {
    const strategy = this.options.config?.loadStrategy ?? 'least-busy';
    if (strategy === 'ordered' || group.length < 2) return [...group];
    const executor = this.options.executor;
    const price = (c: ExecutionTarget) => {
      const p = this.options.prices?.[`${c.engine}:${c.model}`] ?? this.options.prices?.[c.model];
      return p ? p.inputPerMillion + p.outputPerMillion : Number.POSITIVE_INFINITY;
    };
    const key = (c: ExecutionTarget) =>
      strategy === 'least-busy' ? executor.guard(c.engine).load : strategy === 'lowest-cost' ? price(c) : this.latency.get(c.engine);
    return [...group].sort((a, b) => key(a) - key(b));
  }

  private resolveRefs(refs: DeploymentRef | readonly DeploymentRef[] | undefined): ExecutionTarget[] {
    if (refs === undefined) return [];
    const list = (Array.isArray(refs) ? refs : [refs]) as readonly DeploymentRef[];
    return list.map((ref) => {
      const engineId = typeof ref === 'string' ? ref.slice(0, ref.indexOf(':')) : ref.engine;
      const model = typeof ref === 'string' ? ref.slice(ref.indexOf(':') + 1) : ref.model;
      const engine = this.options.executor.getEngine(engineId);
      const explicit = typeof ref === 'string' ? undefined : ref.target;
      return { engine: engine.id, model, target: explicit ?? this.targetOf(engine, undefined) };
    });
  }

  private deploymentsFor(request: InferenceRequest): ExecutionTarget[] {
    const configured = this.options.config?.models?.[request.model];
    if (configured) return this.resolveRefs(configured);
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
