import type { EngineInput, EngineOutput, EngineStreamPart, FinishReason, GenerationParameters, Target, Usage, Workload } from './engine/v1/engine-v1.js';
import type { CallSignal } from './cancellation.js';
import type { PipelineStreamSession } from './pipeline.js';

/** Device/network facts the policy and router read (`metrics.*` in rule expressions). */
export interface DeviceMetrics {
  readonly network_rtt?: number;
  readonly battery?: number;
  readonly has_accelerator?: boolean;
  readonly online?: boolean;
  readonly [key: string]: unknown;
}

export type RequestTarget = Target | 'auto' | 'device' | 'server';

export interface Placement {
  /** pin = only this engine/target, never falls back silently; prefer = try first; auto = router decides. */
  readonly mode: 'pin' | 'prefer' | 'auto';
  readonly engine?: string;
  readonly target?: Target;
  readonly allowFallback?: boolean;
}

/** The one request shape apps, the CLI and the server hand to the Orchestrator. */
export interface InferenceRequest {
  /** Registry model id (`paddleocr-v4`), a configured route name (`auto`, `chat`), or `engine:model`. */
  readonly model: string;
  readonly workload: Workload;
  readonly input: EngineInput;
  readonly parameters?: GenerationParameters;
  readonly target?: RequestTarget;
  readonly placement?: Placement;
  readonly tags?: readonly string[];
  readonly metrics?: DeviceMetrics;
  readonly correlationId?: string;
  /** W3C trace context of the caller (e.g. the HTTP request's `traceparent`): spans join that trace. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly timeoutMs?: number;
  /**
   * Parameters a target's engine does not honour are dropped (and listed in `droppedParameters`) instead of
   * failing with UNSUPPORTED. Off by default: nothing is ignored silently.
   */
  readonly dropUnsupportedParameters?: boolean;
}

export interface PolicyDecision {
  readonly outcome: 'allow' | 'deny' | 'redact';
  readonly rule_id?: string;
  readonly reason: string;
  /** Names of the safety transforms that changed the input (e.g. `redact:email`). */
  readonly transforms?: readonly string[];
}

export interface RoutingDecision {
  readonly target: Target;
  readonly engine: string;
  readonly model: string;
  readonly reason: string;
  /** What decided: `pin`, `rule`, `classifier`, `load`, `default`, `fallback`. */
  readonly source: string;
  /** For a registry model: which pre/post pipeline ran (the app's generated registry or the interpreter). */
  readonly pipeline?: 'generated' | 'interpreted';
}

export interface StageTimings {
  readonly queueMs: number;
  readonly preprocessMs: number;
  readonly inferMs: number;
  readonly postprocessMs: number;
  readonly totalMs: number;
}

export interface InferenceResult {
  /** Engine output, or `{kind:'json'}` holding a model pipeline's typed output (e.g. OCR lines). */
  readonly output: EngineOutput;
  readonly usage: Usage;
  readonly finishReason: FinishReason;
  /** The stop sequence that ended the output, when the engine reports it (EngineRunResult.stopSequence). */
  readonly stopSequence?: string;
  readonly policy: PolicyDecision;
  readonly decision: RoutingDecision;
  /** Every target tried, in order, when fallbacks happened. */
  readonly attempts: readonly { readonly engine: string; readonly model: string; readonly error?: string }[];
  readonly timings: StageTimings;
  /** For a registry model: which pre/post pipeline ran (the app's generated registry or the interpreter). */
  readonly pipeline?: 'generated' | 'interpreted';
  /** Parameters left out for the serving target (only with `dropUnsupportedParameters`). */
  readonly droppedParameters?: readonly string[];
}

/** Orchestrator stream = engine parts plus routing markers (a fallback switch mid-stream is visible). */
export type InferenceStreamPart =
  | EngineStreamPart
  | { readonly type: 'routing'; readonly decision: RoutingDecision; readonly policy: PolicyDecision }
  | { readonly type: 'fallback'; readonly from: string; readonly to: string; readonly reason: string; readonly afterTokens: number }
  /** The target about to stream does not honour these parameters; they were dropped (`dropUnsupportedParameters`). */
  | { readonly type: 'parameters-dropped'; readonly parameters: readonly string[] };

export interface CallOptions {
  /** Cancels the call: an AbortSignal, or a `Cancellation` (no AbortSignal is made unless an engine needs one). */
  readonly signal?: CallSignal;
}

/** What `countTokens` answers (added in spec 0.3): the count and where it was counted. */
export interface TokenCountResult {
  readonly inputTokens: number;
  /** The engine and model a run of the request would go to first, which counted it. */
  readonly engine: string;
  readonly model: string;
  /** Parameters left out for that engine because the caller opted into dropping (`dropUnsupportedParameters`). */
  readonly droppedParameters?: readonly string[];
}

/** Public face of the top layer. The server and CLI depend on this interface only. */
export interface OrchestratorApi {
  run(request: InferenceRequest, options?: CallOptions): Promise<InferenceResult>;
  stream(request: InferenceRequest, options?: CallOptions): AsyncIterable<InferenceStreamPart>;
  /** Chunk-in streaming (e.g. VAD): open -> push -> results -> close. */
  openStreamSession(model: string, options?: CallOptions & { readonly settings?: Record<string, unknown> }): Promise<PipelineStreamSession<unknown, unknown>>;
  /**
   * Optional (added in spec 0.3; orchestrators without it keep working): the input tokens `request` would use,
   * counted by the engine a run would go to first (policy applied, no fallback) through its `doCountTokens`;
   * UNSUPPORTED naming the model when that engine cannot count.
   */
  countTokens?(request: InferenceRequest, options?: CallOptions): Promise<TokenCountResult>;
}
