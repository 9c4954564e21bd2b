import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import { SwitchyardError } from '@switchyard/spec';
import type { ChatMessage, ChatMessageField, EngineCapabilities, EngineRunResult, EngineStreamPart, FinishReason, GenerationParameters, PluginLogger, ToolCall } from '@switchyard/spec';
import { CloudLlmEngine, assertStreamNotAborted, droppedStreamError, upstreamRequestOptions } from './cloud-llm-engine.js';
import type { ProviderCall } from './cloud-llm-engine.js';
import type { CloudLlmProviderOptions } from './cloud-llm-options.js';
import { rawPromptOf, runRawCompletion, samplingFields, streamRawCompletion, type RawCompletionTarget } from './cloud-llm-openai-completions.js';
import { chatTurnsFromInput, textPiecesOf, textsFromInput } from './cloud-llm-prompt.js';
import { openAiUsageCounts, usageWithCost } from './cloud-llm-usage.js';

const FINISH: Record<string, FinishReason> = { stop: 'stop', length: 'length', content_filter: 'content-filter', tool_calls: 'tool-calls', function_call: 'tool-calls' };

/** Every GenerationParameter the chat-completions body below forwards (anything else is refused upstream of us). */
export const OPENAI_PARAMETERS: readonly (keyof GenerationParameters)[] = [
  'maxTokens',
  'temperature',
  'topP',
  'stop',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'logitBias',
  'user',
  'tools',
  'toolChoice',
  'parallelToolCalls',
  'responseFormat',
  'reasoningEffort',
  'serviceTier',
];

export function openAiFinishReason(reason: string | null | undefined): FinishReason {
  return reason ? (FINISH[reason] ?? 'other') : 'other';
}

/** The turn fields the chat-completions API takes (a tool turn's `isError` has no OpenAI field, so it is refused). */
export const OPENAI_MESSAGE_FIELDS: readonly ChatMessageField[] = ['name', 'refusal'];

/** Text content: a string, or the text parts in order when the turn came in parts. */
function textContent(message: ChatMessage): string | { type: 'text'; text: string }[] {
  return message.parts ? textPiecesOf(message).map((text) => ({ type: 'text' as const, text })) : message.content;
}

type ImageDetail = 'auto' | 'low' | 'high';
const imageUrlPart = (url: string, detail: ImageDetail | undefined) => ({ type: 'image_url' as const, image_url: { url, ...(detail ? { detail } : {}) } });

/** One turn, where it was: system turns are not hoisted; `developer` stays developer where the server knows the role. */
function toWireMessage(message: ChatMessage, developerRole: boolean): ChatCompletionMessageParam {
  const name = message.role !== 'tool' && message.name !== undefined ? { name: message.name } : {};
  switch (message.role) {
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: textContent(message) };
    case 'assistant': {
      const refusal = message.refusal !== undefined ? { refusal: message.refusal } : {};
      return message.toolCalls?.length
        ? {
            role: 'assistant',
            content: message.content === '' && !message.parts ? null : textContent(message),
            ...name,
            ...refusal,
            tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })),
          }
        : { role: 'assistant', content: textContent(message), ...name, ...refusal };
    }
    case 'user':
      if (message.parts) {
        const content = message.parts.map((part) => (part.type === 'text' ? { type: 'text' as const, text: part.text } : imageUrlPart(part.url, part.detail)));
        return { role: 'user', content, ...name };
      }
      return message.images?.length
        ? {
            role: 'user',
            content: [...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : []), ...message.images.map((image) => imageUrlPart(image.url, image.detail))],
            ...name,
          }
        : { role: 'user', content: message.content, ...name };
    default:
      return { role: message.developer && developerRole ? 'developer' : 'system', content: textContent(message), ...name };
  }
}

/** The chat-completions fields for tools, tool choice and response format. */
function toolAndFormatFields(p: GenerationParameters): Partial<ChatCompletionCreateParamsBase> {
  const fields: Partial<ChatCompletionCreateParamsBase> = {};
  if (p.tools?.length) {
    fields.tools = p.tools.map((tool) => ({
      type: 'function' as const,
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: { ...tool.parameters }, ...(tool.strict !== undefined ? { strict: tool.strict } : {}) },
    }));
  }
  if (p.toolChoice !== undefined) fields.tool_choice = typeof p.toolChoice === 'string' ? p.toolChoice : { type: 'function', function: { name: p.toolChoice.name } };
  if (p.parallelToolCalls !== undefined) fields.parallel_tool_calls = p.parallelToolCalls;
  const format = p.responseFormat;
  if (format?.type === 'text') fields.response_format = { type: 'text' };
  else if (format?.type === 'json') {
    fields.response_format = format.schema
      ? {
          type: 'json_schema',
          json_schema: { name: format.name ?? 'response', schema: { ...format.schema }, ...(format.description ? { description: format.description } : {}), ...(format.strict !== undefined ? { strict: format.strict } : {}) },
        }
      : { type: 'json_object' };
  }
  return fields;
}

/** Some OpenAI-compatible servers send no tool call id (or ""): each call gets one of its own, never a shared one. */
function toolCallId(id: string | null | undefined): string {
  return id ? id : `call_${randomBytes(12).toString('hex')}`;
}

/** The embeddings API takes only these GenerationParameters; any other one would be accepted and ignored. */
const EMBEDDING_PARAMETERS: ReadonlySet<string> = new Set(['user']);

function toolCallsOf(calls: readonly ChatCompletionMessageToolCall[] | undefined): ToolCall[] | undefined {
  const out = (calls ?? []).flatMap((call) => (call.type === 'function' ? [{ id: toolCallId(call.id), name: call.function.name, arguments: call.function.arguments }] : []));
  return out.length > 0 ? out : undefined;
}

/** OpenAI, or any server speaking the OpenAI chat-completions API (vLLM, Ollama, llama.cpp, LM Studio, mlx-lm). */
export class OpenAiChatEngine extends CloudLlmEngine {
  readonly capabilities: EngineCapabilities;
  #client: OpenAI | undefined;

  constructor(provider: CloudLlmProviderOptions, logger?: PluginLogger) {
    super(provider, logger);
    this.capabilities = {
      workloads: ['completion', 'stream', 'embedding'],
      targets: [provider.kind === 'openai' ? 'cloud' : 'edge'],
      features: ['streaming', 'abort', 'system-prompt', 'usage', 'tools', 'json-mode', ...(provider.kind === 'openai' || provider.vision ? ['vision'] : []), ...(provider.prices ? ['cost'] : [])],
      parameters: OPENAI_PARAMETERS,
      messageFields: OPENAI_MESSAGE_FIELDS,
      ...(provider.contextWindow ? { contextWindow: provider.contextWindow } : {}),
    };
  }

  private client(): OpenAI {
    // Self-hosted servers often need no key; the SDK insists on one, so send a placeholder.
    this.#client ??= new OpenAI({
      apiKey: this.apiKey() ?? 'no-key',
      ...(this.provider.baseURL ? { baseURL: this.provider.baseURL } : {}),
      maxRetries: 0,
      timeout: this.provider.timeoutMs ?? 60_000,
      ...(this.provider.headers ? { defaultHeaders: { ...this.provider.headers } } : {}),
    });
    return this.#client;
  }

  private body(call: ProviderCall): ChatCompletionCreateParamsBase {
    // OpenAI's own API knows the `developer` role; OpenAI-compatible servers (and their chat templates) may not.
    const developerRole = this.provider.kind === 'openai';
    const messages = chatTurnsFromInput(call.request.input, this.id).map((message) => toWireMessage(message, developerRole));
    const p = call.request.parameters ?? {};
    const maxTokens = p.maxTokens ?? this.provider.defaultMaxTokens;
    return {
      model: call.model,
      messages,
      ...(maxTokens !== undefined ? (this.provider.kind === 'openai' ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }) : {}),
      ...samplingFields(p),
      ...(p.reasoningEffort !== undefined ? { reasoning_effort: p.reasoningEffort } : {}),
      ...(p.serviceTier !== undefined ? { service_tier: p.serviceTier as ChatCompletionCreateParamsBase['service_tier'] } : {}),
      ...toolAndFormatFields(p),
    };
  }

  /** The correlation id and trace context go upstream (upstreamRequestOptions). */
  private requestOptions(call: ProviderCall) {
    return upstreamRequestOptions(call);
  }

  /** What a raw-prompt call (legacy completions) needs of this engine. */
  private rawTarget(call: ProviderCall): RawCompletionTarget {
    const { defaultMaxTokens, streamUsage } = this.provider;
    const price = this.price(call.model);
    return { client: this.client(), engineId: this.id, ...(defaultMaxTokens !== undefined ? { defaultMaxTokens } : {}), ...(streamUsage !== undefined ? { streamUsage } : {}), ...(price ? { price } : {}) };
  }

  protected async chat(call: ProviderCall): Promise<EngineRunResult> {
    const raw = rawPromptOf(call.request.input);
    if (raw !== undefined) return runRawCompletion(this.rawTarget(call), call, raw);
    const completion = await this.client().chat.completions.create({ ...this.body(call), stream: false }, this.requestOptions(call));
    const choice = completion.choices[0];
    const toolCalls = toolCallsOf(choice?.message.tool_calls);
    const refusal = choice?.message.refusal;
    return {
      output: { kind: 'text', text: choice?.message.content ?? '', ...(toolCalls ? { toolCalls } : {}), ...(refusal ? { refusal } : {}) },
      finishReason: openAiFinishReason(choice?.finish_reason),
      usage: usageWithCost(openAiUsageCounts(completion.usage), this.price(call.model)),
    };
  }

  protected async *chatStream(call: ProviderCall): AsyncGenerator<EngineStreamPart> {
    const raw = rawPromptOf(call.request.input);
    if (raw !== undefined) return yield* streamRawCompletion(this.rawTarget(call), call, raw);
    const body = this.body(call);
    const stream = await this.client().chat.completions.create(
      { ...body, stream: true, ...(this.provider.streamUsage === false ? {} : { stream_options: { include_usage: true } }) },
      this.requestOptions(call),
    );
    yield { type: 'start', modelId: call.request.modelId };
    let finish: FinishReason | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    // Tool-call deltas are keyed by `index`; only the first carries id and name.
    const openCalls = new Map<number, string>();
    for await (const chunk of stream) {
      assertStreamNotAborted(call.signal, this.id);
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) yield { type: 'delta', kind: 'text', text };
      const refusal = choice?.delta?.refusal;
      if (refusal) yield { type: 'delta', kind: 'refusal', text: refusal };
      for (const delta of choice?.delta?.tool_calls ?? []) {
        let id = openCalls.get(delta.index);
        if (id === undefined) {
          id = toolCallId(delta.id);
          openCalls.set(delta.index, id);
          yield { type: 'tool-call-start', id, name: delta.function?.name ?? '', index: delta.index };
        }
        if (delta.function?.arguments) yield { type: 'tool-call-delta', id, argumentsDelta: delta.function.arguments };
      }
      if (choice?.finish_reason) {
        finish = openAiFinishReason(choice.finish_reason);
        for (const id of openCalls.values()) yield { type: 'tool-call-end', id };
        openCalls.clear();
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assertStreamNotAborted(call.signal, this.id);
    if (finish === undefined) throw droppedStreamError(this.id, call.model);
    yield { type: 'finish', finishReason: finish, usage: usageWithCost(openAiUsageCounts(usage), this.price(call.model)) };
  }

  protected async embed(call: ProviderCall): Promise<EngineRunResult> {
    const texts = textsFromInput(call.request.input, this.id);
    const p = call.request.parameters ?? {};
    const ignored = Object.keys(p).find((name) => p[name as keyof GenerationParameters] !== undefined && !EMBEDDING_PARAMETERS.has(name));
    if (ignored !== undefined) {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `${this.id} (model '${call.model}'): '${ignored}' is not supported for embeddings`,
        details: { engine: this.id, model: call.model, field: ignored },
      });
    }
    const response = await this.client().embeddings.create(
      { model: call.model, input: [...texts], encoding_format: 'float', ...(p.user !== undefined ? { user: p.user } : {}) },
      this.requestOptions(call),
    );
    const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
    return { output: { kind: 'embeddings', vectors }, usage: usageWithCost({ ...openAiUsageCounts(response.usage), outputTokens: 0 }, this.price(call.model)) };
  }

  protected async probe(signal: AbortSignal): Promise<void> {
    await this.client().models.list({ signal, maxRetries: 0 });
  }
}
