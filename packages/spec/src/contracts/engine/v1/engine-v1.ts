import type { TensorMap } from './tensor.js';

/** What an engine can do. */
export type Workload = 'completion' | 'embedding' | 'inference' | 'transcription' | 'stream';
/** Where an engine runs. */
export type Target = 'local' | 'edge' | 'cloud';

export interface EngineCapabilities {
  readonly workloads: readonly Workload[];
  readonly targets: readonly Target[];
  /** Free-form feature flags, e.g. `streaming`, `kv-cache`, `tools`, `json-mode`, `abort`. */
  readonly features: readonly string[];
  /** Largest context (tokens) the engine accepts, when it has one. */
  readonly contextWindow?: number;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** Sampling and decoding knobs shared by every generating engine. */
export interface GenerationParameters {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  readonly repetitionPenalty?: number;
}

export type EngineInput =
  | { readonly kind: 'text'; readonly prompt?: string; readonly messages?: readonly ChatMessage[]; readonly system?: string }
  | { readonly kind: 'texts'; readonly texts: readonly string[] }
  | { readonly kind: 'tensors'; readonly tensors: TensorMap; /** ModelGraph stage name */ readonly stage?: string }
  | { readonly kind: 'audio'; readonly samples: Float32Array; readonly sampleRate: number }
  | { readonly kind: 'image'; readonly data: Uint8Array }
  | { readonly kind: 'json'; readonly value: unknown };

export type EngineOutput =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'embeddings'; readonly vectors: readonly (readonly number[])[] }
  | { readonly kind: 'tensors'; readonly tensors: TensorMap }
  | { readonly kind: 'json'; readonly value: unknown };

export interface Usage {
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  /** Cost in USD when a price table is configured. */
  readonly costUsd?: number;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'content-filter' | 'other';

/** What the framework hands an engine to load: resolved, verified files plus the model's metadata. */
export interface EngineModelSpec {
  /** Registry id (`paddleocr-v4`) or a provider model name (`gpt-4o-mini`). */
  readonly id: string;
  /** Logical file name (as in model_metadata.json `files`) -> absolute local path, already sha256-verified. */
  readonly files: Readonly<Record<string, string>>;
  /** Parsed model_metadata.json when the model comes from the registry. */
  readonly metadata?: unknown;
  /** Engine-specific per-model options from config. */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface EngineRunRequest {
  readonly modelId: string;
  readonly workload: Workload;
  readonly input: EngineInput;
  readonly parameters?: GenerationParameters;
  /** Correlation id for logs and traces; engines must not log inputs. */
  readonly correlationId?: string;
}

export interface EngineRunResult {
  readonly output: EngineOutput;
  readonly usage?: Usage;
  readonly finishReason?: FinishReason;
  /** Durations in ms and other numeric measurements (e.g. `infer_ms`, `ttft_ms`). */
  readonly metrics?: Readonly<Record<string, number>>;
}

export type EngineStreamDelta =
  | { readonly kind: 'text'; readonly text: string; readonly tokenId?: number }
  | { readonly kind: 'token'; readonly tokenId: number; readonly text?: string }
  | { readonly kind: 'tensor'; readonly tensors: TensorMap }
  | { readonly kind: 'audio'; readonly samples: Float32Array; readonly sampleRate: number }
  | { readonly kind: 'json'; readonly value: unknown };

export type EngineStreamPart =
  | { readonly type: 'start'; readonly modelId: string }
  | ({ readonly type: 'delta' } & EngineStreamDelta)
  | { readonly type: 'metrics'; readonly metrics: Readonly<Record<string, number>> }
  | { readonly type: 'finish'; readonly usage: Usage; readonly finishReason: FinishReason }
  | { readonly type: 'error'; readonly error: unknown };

export interface EngineHealth {
  readonly ok: boolean;
  /** Why the engine is unavailable (e.g. "MLX needs Apple Silicon"); the router skips unavailable engines. */
  readonly reason?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Engine contract v1. Methods prefixed `do` are implemented by plugins and called by the framework
 * (Executor), never by apps. Every call takes an AbortSignal that the engine must honour.
 * Failures are thrown (or emitted as an `error` part) as SwitchyardError instances with stable codes.
 */
export interface EngineV1 {
  readonly specificationVersion: 'v1';
  /** Unique engine id within an app, e.g. `onnx`, `openai`, `hosted-ai:pool-a`. */
  readonly id: string;
  readonly capabilities: EngineCapabilities;
  doLoad(model: EngineModelSpec, signal: AbortSignal): Promise<void>;
  doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult>;
  doStream(request: EngineRunRequest, signal: AbortSignal): AsyncIterable<EngineStreamPart>;
  doUnload(modelId: string, signal: AbortSignal): Promise<void>;
  health(): Promise<EngineHealth>;
}
