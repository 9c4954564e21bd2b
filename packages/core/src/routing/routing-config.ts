import type { Target } from '@switchyard/spec';

/** `engine:model` shorthand or an explicit deployment. */
export type DeploymentRef = string | { readonly engine: string; readonly model: string; readonly target?: Target };

export interface RouteConfig {
  /** Ordered targets; later entries are fallbacks. */
  readonly targets?: readonly DeploymentRef[];
  /** Classification routing: small and large deployments (each may list equivalents for load balancing). */
  readonly small?: DeploymentRef | readonly DeploymentRef[];
  readonly large?: DeploymentRef | readonly DeploymentRef[];
  readonly classifier?: 'rules' | 'llm' | 'model';
  /** Route or model the llm/model classifier runs on. */
  readonly classifierModel?: string;
  /** Score threshold (from `switchyard route calibrate`); absent = the category/complexity rule. */
  readonly threshold?: number;
  /** Extra fallbacks tried after the chosen group. */
  readonly fallback?: readonly DeploymentRef[];
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
  /** Among equivalent deployments: fewest in-flight calls, lowest observed latency, lowest price (telemetry.prices), or as listed. */
  readonly loadStrategy?: 'least-busy' | 'lowest-latency' | 'lowest-cost' | 'ordered';
  /** LRU size of the classification cache. */
  readonly cacheSize?: number;
  readonly routes?: Readonly<Record<string, RouteConfig>>;
  /** Deployments per model id (equivalent engines that serve the same model). */
  readonly models?: Readonly<Record<string, readonly DeploymentRef[]>>;
}
