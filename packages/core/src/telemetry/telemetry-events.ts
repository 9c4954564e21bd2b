import type { PolicyDecision, RoutingDecision, StageTimings, Usage } from '@switchyard/spec';

/** Every event the orchestration layer emits, keyed by name. Payloads never hold raw inputs or secrets. */
export interface SwitchyardEvents {
  PipelineStart: { readonly pipeline: string; readonly runId: string; readonly stages: number };
  PipelineComplete: { readonly pipeline: string; readonly runId: string; readonly ok: boolean; readonly durationMs: number };
  StageStart: { readonly pipeline: string; readonly runId: string; readonly stage: string };
  StageComplete: { readonly pipeline: string; readonly runId: string; readonly stage: string; readonly durationMs: number; readonly skipped?: boolean };
  StageError: { readonly pipeline: string; readonly runId: string; readonly stage: string; readonly code: string; readonly message: string };
  PolicyEvaluated: { readonly correlationId: string; readonly decision: PolicyDecision };
  RoutingDecided: { readonly correlationId: string; readonly decision: RoutingDecision; readonly cached: boolean };
  ExecutionStarted: { readonly correlationId: string; readonly engine: string; readonly model: string; readonly attempt: number };
  ExecutionCompleted: {
    readonly correlationId: string;
    readonly engine: string;
    readonly model: string;
    readonly usage: Usage;
    readonly timings: StageTimings;
  };
  ExecutionFailed: { readonly correlationId: string; readonly engine: string; readonly model: string; readonly code: string; readonly message: string };
  Retry: { readonly correlationId: string; readonly engine: string; readonly model: string; readonly attempt: number; readonly delayMs: number; readonly code: string };
  /** `model` is the deployment whose breaker changed (every (engine, model) has its own). */
  CircuitOpened: { readonly engine: string; readonly model: string };
  CircuitClosed: { readonly engine: string; readonly model: string };
  /** A 429 cooled a deployment down for `ms` (its Retry-After, capped) instead of tripping its breaker. */
  DeploymentCooldown: { readonly engine: string; readonly model: string; readonly ms: number };
  /** A model load step: resolving or sha256-verifying one of its files, creating the engine session, loaded (ready). */
  ModelLoadProgress: {
    readonly model: string;
    readonly engine: string;
    readonly stage: 'resolve' | 'verify' | 'load' | 'ready';
    readonly file?: string;
    /** Where a file comes from: the model folder, an npm package, a path or the download cache. */
    readonly origin?: 'model-dir' | 'npm' | 'url' | 'path';
    readonly package?: string;
  };
  Fallback: { readonly correlationId: string; readonly from: string; readonly to: string; readonly reason: string; readonly afterTokens: number };
}

export type SwitchyardEventName = keyof SwitchyardEvents;
