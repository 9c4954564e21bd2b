import type { JsonSchema } from '../../plugin/plugin.js';
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
  /**
   * The GenerationParameters the engine honours (default: maxTokens, temperature, topP, topK, stop, seed, repetitionPenalty). A request using any other
   * one is refused with UNSUPPORTED naming it (or has it dropped when the caller opts in), never silently ignored.
   * `tools` here also means the engine accepts assistant tool calls and `tool` messages.
   */
  readonly parameters?: readonly (keyof GenerationParameters)[];
  /**
   * Optional ChatMessage fields the engine honours (added in spec 0.2; default none). A turn carrying another one
   * (`name`, `refusal`, `isError`) is refused with UNSUPPORTED naming it (or has it dropped when the caller opts
   * in). `parts` and `developer` need no declaration: an engine that ignores them reads `content`, `images`, `role`.
   */
  readonly messageFields?: readonly ChatMessageField[];
  /**
   * The text input shapes the engine reads (added in spec 0.2; default both). An engine listing only `prompt` is
   * never handed `messages`: a chat is refused with UNSUPPORTED naming `messages`, and a mid-stream fallback to it
   * continues the prompt as text (prompt + what was emitted). One listing only `messages` gets a prompt as a user turn.
   */
  readonly textInputs?: readonly TextInputShape[];
}

/** How a text EngineInput carries its text: a `prompt` string, or chat `messages`. */
export type TextInputShape = 'prompt' | 'messages';

/** ChatMessage fields beyond role, content, images and tool calls that an engine may declare it honours. */
export type ChatMessageField = 'name' | 'refusal' | 'isError';

/** An image in a user message (vision); only engines that declare the `vision` feature accept it. */
export interface ChatImagePart {
  /** `https://...` or a `data:image/...;base64,...` URL. */
  readonly url: string;
  readonly detail?: 'auto' | 'low' | 'high';
}

/**
 * One piece of a turn's content, in the order the caller sent it: text, or (user turns, `vision` engines) an image.
 * `content` of the same turn is its text parts joined with a newline (`\n`), `images` its image parts.
 */
export type ChatContentPart = { readonly type: 'text'; readonly text: string } | ({ readonly type: 'image' } & ChatImagePart);

/** A call the model asked for: `arguments` is the JSON text the model produced (not parsed, not validated). */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** A function the model may call; `parameters` is a JSON Schema object. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Ask the provider to follow the schema exactly (OpenAI and Anthropic `strict`). */
  readonly strict?: boolean;
  /**
   * Stream this tool's input as the model writes it, unbuffered and unvalidated (Anthropic `eager_input_streaming`; spec 0.5).
   * Engines whose provider always streams tool input that way (OpenAI) have nothing to do.
   */
  readonly eagerInputStreaming?: boolean;
}

/** `auto` (model decides), `none`, `required` (some tool), or one named tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly type: 'tool'; readonly name: string };

/** Structured output: `json` alone asks for any JSON object; with `schema` the output must validate against it. */
export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json'; readonly schema?: Readonly<Record<string, unknown>>; readonly name?: string; readonly description?: string; readonly strict?: boolean };

/**
 * One turn. v1 engines that know only system/user/assistant text keep working: tool calls, tool results and
 * images are optional fields the framework only sends to engines declaring `tools` / `vision`; `name`, `refusal`
 * and `isError` only to engines listing them in `capabilities.messageFields`.
 * `parts` (spec 0.2) is the content in order when the caller sent several parts; `content` and `images` are filled
 * from it as well (text parts joined with a newline), so an engine may read either.
 */
export type ChatMessage =
  | {
      readonly role: 'system' | 'user';
      readonly content: string;
      readonly images?: readonly ChatImagePart[];
      readonly parts?: readonly ChatContentPart[];
      /** The participant's name (OpenAI `name`). */
      readonly name?: string;
      /** A system turn the caller sent as an OpenAI `developer` message (engines that do not distinguish read a system turn). */
      readonly developer?: boolean;
    }
  | {
      readonly role: 'assistant';
      readonly content: string;
      readonly toolCalls?: readonly ToolCall[];
      readonly parts?: readonly ChatContentPart[];
      readonly name?: string;
      /** What the assistant refused with (OpenAI `refusal`). */
      readonly refusal?: string;
    }
  | {
      readonly role: 'tool';
      readonly content: string;
      readonly toolCallId: string;
      readonly name?: string;
      readonly parts?: readonly ChatContentPart[];
      /** The tool call failed and `content` is its error (Anthropic `tool_result.is_error`). */
      readonly isError?: boolean;
    };

/** Sampling and decoding knobs shared by every generating engine. */
export interface GenerationParameters {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  readonly repetitionPenalty?: number;
  readonly presencePenalty?: number;
  readonly frequencyPenalty?: number;
  /** Token id (as a string) -> bias in [-100, 100]. */
  readonly logitBias?: Readonly<Record<string, number>>;
  /** End-user id passed on to the provider for abuse monitoring. */
  readonly user?: string;
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly parallelToolCalls?: boolean;
  readonly responseFormat?: ResponseFormat;
  readonly reasoningEffort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  readonly serviceTier?: string;
}

export type EngineInput =
  | {
      readonly kind: 'text';
      readonly prompt?: string;
      readonly messages?: readonly ChatMessage[];
      readonly system?: string;
      /**
       * `prompt` is raw text to continue (legacy completions, spec 0.2), not a user turn: an engine that can send it
       * as is does; one that can only chat refuses it (UNSUPPORTED naming `prompt`). Engines that never template
       * a prompt may ignore the flag.
       */
      readonly rawPrompt?: boolean;
    }
  | { readonly kind: 'texts'; readonly texts: readonly string[] }
  | { readonly kind: 'tensors'; readonly tensors: TensorMap; /** ModelGraph stage name */ readonly stage?: string }
  | { readonly kind: 'audio'; readonly samples: Float32Array; readonly sampleRate: number }
  | { readonly kind: 'image'; readonly data: Uint8Array }
  | { readonly kind: 'json'; readonly value: unknown };

export type EngineOutput =
  | {
      readonly kind: 'text';
      readonly text: string;
      /** Calls the model asked for (finishReason `tool-calls`). */
      readonly toolCalls?: readonly ToolCall[];
      /** The model declined to answer: its explanation, apart from `text` (OpenAI's `message.refusal`; added in spec 0.2). */
      readonly refusal?: string;
    }
  | { readonly kind: 'embeddings'; readonly vectors: readonly (readonly number[])[] }
  | { readonly kind: 'tensors'; readonly tensors: TensorMap }
  | { readonly kind: 'json'; readonly value: unknown };

export interface Usage {
  /** Every input token, cached ones included (`cacheReadTokens` and `cacheWriteTokens` are parts of it). */
  readonly inputTokens?: number;
  /** Every output token, reasoning ones included (`reasoningTokens` is part of it). */
  readonly outputTokens?: number;
  readonly totalTokens?: number;
  /** Input tokens read from the provider's prompt cache (added in spec 0.2; absent = not reported). */
  readonly cacheReadTokens?: number;
  /** Input tokens written to the provider's prompt cache (Anthropic's `cache_creation_input_tokens`). */
  readonly cacheWriteTokens?: number;
  /** Output tokens the model spent reasoning before it answered. */
  readonly reasoningTokens?: number;
  /** Cost in USD when a price table is configured. */
  readonly costUsd?: number;
}

export type FinishReason = 'stop' | 'length' | 'abort' | 'error' | 'content-filter' | 'tool-calls' | 'other';

/** What the framework hands an engine to load: resolved, verified files plus the model's metadata. */
export interface EngineModelSpec {
  /** Registry id (`paddleocr-v4`) or a provider model name (`gpt-4o-mini`). */
  readonly id: string;
  /** Logical file name (as in model_metadata.json `files`) -> absolute local path, already sha256-verified. */
  readonly files: Readonly<Record<string, string>>;
  /** Parsed model_metadata.json when the model comes from the registry. */
  readonly metadata?: unknown;
  /** Engine-specific per-model options from config (`models.overrides.<id>.options`; checked against `EngineV1.modelOptionsSchema` at app start when the engine declares one). */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface EngineRunRequest {
  readonly modelId: string;
  readonly workload: Workload;
  readonly input: EngineInput;
  readonly parameters?: GenerationParameters;
  /** Correlation id for logs and traces; engines must not log inputs. */
  readonly correlationId?: string;
  /** W3C `traceparent` of the calling span: engines that call an upstream over HTTP send it as that header. */
  readonly traceparent?: string;
  /** W3C `tracestate` that goes with `traceparent`. */
  readonly tracestate?: string;
}

export interface EngineRunResult {
  readonly output: EngineOutput;
  readonly usage?: Usage;
  readonly finishReason?: FinishReason;
  /** The stop sequence that ended the output (finishReason `stop`), when the provider reports which one matched. */
  readonly stopSequence?: string;
  /** Durations in ms and other numeric measurements (e.g. `infer_ms`, `ttft_ms`). */
  readonly metrics?: Readonly<Record<string, number>>;
}

export type EngineStreamDelta =
  | { readonly kind: 'text'; readonly text: string; readonly tokenId?: number }
  | { readonly kind: 'token'; readonly tokenId: number; readonly text?: string }
  | { readonly kind: 'tensor'; readonly tensors: TensorMap }
  | { readonly kind: 'audio'; readonly samples: Float32Array; readonly sampleRate: number }
  | { readonly kind: 'json'; readonly value: unknown }
  /** Refusal text as it streams (OpenAI's `delta.refusal`; added in spec 0.2): never part of the answer text. */
  | { readonly kind: 'refusal'; readonly text: string };

export type EngineStreamPart =
  | { readonly type: 'start'; readonly modelId: string }
  | ({ readonly type: 'delta' } & EngineStreamDelta)
  | { readonly type: 'metrics'; readonly metrics: Readonly<Record<string, number>> }
  /** A tool call begins; `index` orders parallel calls. Its JSON arguments follow as deltas, then an end. */
  | { readonly type: 'tool-call-start'; readonly id: string; readonly name: string; readonly index: number }
  | { readonly type: 'tool-call-delta'; readonly id: string; readonly argumentsDelta: string }
  | { readonly type: 'tool-call-end'; readonly id: string }
  | { readonly type: 'finish'; readonly usage: Usage; readonly finishReason: FinishReason; /** As EngineRunResult's. */ readonly stopSequence?: string }
  | { readonly type: 'error'; readonly error: unknown };

/** What `doCountTokens` answers (added in spec 0.3). */
export interface EngineTokenCount {
  /** The input tokens the request would use: its system text, turns and tool definitions, as the provider counts them. */
  readonly inputTokens: number;
}

export interface EngineHealth {
  readonly ok: boolean;
  /** Why the engine is unavailable (e.g. "MLX needs Apple Silicon"); the router skips unavailable engines. */
  readonly reason?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * One call's cancellation, readable without an AbortSignal: `aborted`/`reason` say whether the call was cancelled
 * (caller abort or timeout). `signal` is a real AbortSignal for the same call, created on first read and never
 * reused by another call; engines that only look at cancellation synchronously (before a native run) never read it,
 * and the framework then creates no AbortController for the call. An AbortSignal is not an AbortCheck (no `signal`).
 */
export interface AbortCheck {
  readonly aborted: boolean;
  readonly reason: unknown;
  readonly signal: AbortSignal;
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
  /**
   * Optional (added in spec 0.4; engines without it keep working, their model options are not checked before load):
   * the JSON Schema (draft-07) of the per-model options this engine takes (`EngineModelSpec.options`, config
   * `models.overrides.<id>.options`). The app checks every override's options against the schema of the engine that
   * model runs on when it starts, each failure located (CONFIG_INVALID). Set `additionalProperties: false` so a
   * key the engine does not honour is an error, never silently ignored; leave out defaults (they are not applied).
   */
  readonly modelOptionsSchema?: JsonSchema;
  doLoad(model: EngineModelSpec, signal: AbortSignal): Promise<void>;
  doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult>;
  /**
   * Optional (added in spec 0.2; v1 engines without it keep working): `doRun` taking an AbortCheck instead of a
   * signal. The Executor calls it instead of `doRun` when present; it must behave exactly as `doRun`.
   */
  doRunChecked?(request: EngineRunRequest, abort: AbortCheck): Promise<EngineRunResult>;
  doStream(request: EngineRunRequest, signal: AbortSignal): AsyncIterable<EngineStreamPart>;
  /**
   * Optional (added in spec 0.3; engines without it keep working, they cannot count): the input tokens `request`
   * would use, counted by the provider without running the model (Anthropic's `/v1/messages/count_tokens`).
   * Generation limits (`maxTokens`, sampling) are not part of the count; tools and tool choice are.
   */
  doCountTokens?(request: EngineRunRequest, signal: AbortSignal): Promise<EngineTokenCount>;
  doUnload(modelId: string, signal: AbortSignal): Promise<void>;
  health(): Promise<EngineHealth>;
}
