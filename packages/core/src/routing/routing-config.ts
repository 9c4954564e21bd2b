import type { Target } from '@switchyard/spec';

/** `engine:model` shorthand or an explicit deployment. */
export type DeploymentRef = string | { readonly engine: string; readonly model: string; readonly target?: Target };

/** A deployment inside a group of equivalents; `weight` (default 1) is only honoured by the `weighted` strategy. */
export type GroupMember = string | { readonly engine: string; readonly model: string; readonly target?: Target; readonly weight?: number };

/** How one group of equivalent deployments is ordered for a request. */
export type LoadStrategy = 'least-busy' | 'lowest-latency' | 'lowest-cost' | 'weighted' | 'ordered';

/** An explicit group of equivalent deployments inside an ordered chain: load-balanced among themselves. */
export interface DeploymentGroup {
  readonly group: readonly GroupMember[];
  /** Default: `weighted` when a member has a weight, else `routing.loadStrategy`. */
  readonly loadStrategy?: LoadStrategy;
}

/** One step of an ordered chain: a deployment, or a group of equivalents balanced in that step. */
export type ChainEntry = DeploymentRef | DeploymentGroup;

export interface RouteConfig {
  /** Ordered targets, tried in the order written; later entries are fallbacks. Only a `group` entry is balanced. */
  readonly targets?: readonly ChainEntry[];
  /** Classification routing: small and large deployments (a list is a group of equivalents, load-balanced). */
  readonly small?: GroupMember | readonly GroupMember[];
  readonly large?: GroupMember | readonly GroupMember[];
  readonly classifier?: 'rules' | 'llm' | 'model';
  /** Route or model the llm/model classifier runs on. */
  readonly classifierModel?: string;
  /** Score threshold (from `switchyard route calibrate`); absent = the category/complexity rule. */
  readonly threshold?: number;
  /** Extra fallbacks tried after the chosen group, in order. */
  readonly fallback?: readonly ChainEntry[];
}

/** `routing` section of the app config. */
export interface RoutingConfig {
  readonly defaultTarget?: Target;
  /** Alias of defaultTarget. */
  readonly default?: Target;
  /** Appended to every chain (unless pinned): a target (`cloud`) or `engine:model`. */
  readonly fallbacks?: readonly string[];
  /** Above this RTT (ms) prefer local. */
  readonly rttThresholdMs?: number;
  /** Below this battery (%) prefer remote. */
  readonly batteryThreshold?: number;
  /**
   * Within a group of equivalent deployments (a `group` entry, `routing.models.<id>`, a `small`/`large` list):
   * fewest in-flight calls, lowest observed latency, lowest price (telemetry.prices), random by weight, or as
   * listed. Default least-busy (ties keep the listed order). Chains themselves are never reordered by load.
   */
  readonly loadStrategy?: LoadStrategy;
  /** LRU size of the classification cache. */
  readonly cacheSize?: number;
  readonly routes?: Readonly<Record<string, RouteConfig>>;
  /** Deployments per model id: one group of equivalent deployments serving the same model (load-balanced). */
  readonly models?: Readonly<Record<string, readonly GroupMember[]>>;
}
