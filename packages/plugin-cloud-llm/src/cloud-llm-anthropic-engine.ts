import Anthropic from '@anthropic-ai/sdk';
import type { ContentBlockParam, MessageCreateParamsBase, MessageParam, TextBlockParam, Tool, ToolChoice as WireToolChoice } from '@anthropic-ai/sdk/resources/messages';
import { InvalidInputError, SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { ChatMessage, ChatMessageField, EngineCapabilities, EngineRunRequest, EngineTokenCount, EngineRunResult, EngineStreamPart, FinishReason, GenerationParameters, PluginLogger, ToolCall } from '@switchyard/spec';
import { CloudLlmEngine, assertStreamNotAborted, droppedStreamError, upstreamRequestOptions } from './cloud-llm-engine.js';
import type { ProviderCall } from './cloud-llm-engine.js';
import type { CloudLlmProviderOptions } from './cloud-llm-options.js';
import { toCloudLlmError } from './cloud-llm-errors.js';
import { chatTurnsFromInput, textPiecesOf } from './cloud-llm-prompt.js';
import { anthropicUsageCounts, usageWithCost, type AnthropicWireUsage } from './cloud-llm-usage.js';

const FINISH: Record<string, FinishReason> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', refusal: 'content-filter', tool_use: 'tool-calls', pause_turn: 'other' };

/** Every GenerationParameter the Messages body below honours. */
export const ANTHROPIC_PARAMETERS: readonly (keyof GenerationParameters)[] = ['maxTokens', 'temperature', 'topP', 'topK', 'stop', 'user', 'tools', 'toolChoice', 'parallelToolCalls', 'responseFormat'];

/** Structured output on Anthropic: one forced tool whose input schema is the requested schema (the tool-use strategy). */
const FORMAT_TOOL = 'json_response';
/** The property a non-object root schema is wrapped in (the answer is its value). */
const FORMAT_VALUE = 'value';

export function anthropicFinishReason(reason: string | null | undefined): FinishReason {
  return reason ? (FINISH[reason] ?? 'other') : 'other';
}

/** The counts a message_delta carries (null = not sent, keeps message_start's). */
function definedCounts(usage: AnthropicWireUsage): AnthropicWireUsage {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => typeof value === 'number'));
}

function parseArguments(text: string): unknown {
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/**
 * Assistant tool-call arguments must be JSON (Anthropic's tool_use.input is an object); the error names the turn
 * field (`messages[2].toolCalls[0].arguments`), which each face reports as the request field it came from.
 */
function checkToolArguments(input: EngineRunRequest['input'], engineId: string): void {
  if (input.kind !== 'text') return;
  for (const [i, message] of (input.messages ?? []).entries()) {
    if (message.role !== 'assistant') continue;
    for (const [j, call] of (message.toolCalls ?? []).entries()) {
      try {
        parseArguments(call.arguments);
      } catch {
        const field = `messages[${i}].toolCalls[${j}].arguments`;
        throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${engineId}: the arguments of tool call '${call.name}' are not valid JSON ('${field}')`, details: { field } });
      }
    }
  }
}

/** Anthropic's input_schema must be an object schema: any other root (an array, a string, anyOf ...) is wrapped as `{value}`. */
function isObjectRoot(schema: Readonly<Record<string, unknown>>): boolean {
  return schema.type === 'object' || (schema.type === undefined && schema.properties !== undefined && !['anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const'].some((key) => key in schema));
}

/** The wrapper keeps `$schema` and the definitions at its root, so `#/$defs/...` references still resolve. */
function wrappedSchema(schema: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { $schema, $defs, definitions, ...value } = schema;
  return {
    ...($schema !== undefined ? { $schema } : {}),
    type: 'object',
    properties: { [FORMAT_VALUE]: value },
    required: [FORMAT_VALUE],
    ...($defs !== undefined ? { $defs } : {}),
    ...(definitions !== undefined ? { definitions } : {}),
  };
}

function imageBlock(url: string): ContentBlockParam {
  const data = /^data:(image\/(?:png|jpeg|gif|webp));base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1] as 'image/png', data: data[2]! } };
  return { type: 'image', source: { type: 'url', url } };
}

/** The turn fields the Messages API takes: a tool result's `is_error` (no participant names, no refusal field). */
export const ANTHROPIC_MESSAGE_FIELDS: readonly ChatMessageField[] = ['isError'];

/** A turn's text as blocks, in order (Anthropic refuses empty text blocks). */
function textBlocks(message: ChatMessage): TextBlockParam[] {
  return textPiecesOf(message).flatMap((text) => (text !== '' ? [{ type: 'text' as const, text }] : []));
}

/** A user turn's content as blocks, in the caller's order (text and images interleaved as sent). */
function userBlocks(message: Extract<ChatMessage, { role: 'user' | 'system' }>): ContentBlockParam[] {
  if (message.parts) return message.parts.flatMap((part): ContentBlockParam[] => (part.type === 'image' ? [imageBlock(part.url)] : part.text !== '' ? [{ type: 'text', text: part.text }] : []));
  return [...(message.images ?? []).map((image) => imageBlock(image.url)), ...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : [])];
}

/**
 * Turns into Messages turns: tool results become user `tool_result` blocks, consecutive ones merged into one turn,
 * and a user turn right after them joins that turn after its results (`[tool_result, tool_result, text]` stays one
 * user turn, as Anthropic has it: the results first, then the text).
 */
function toWireMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  for (const message of messages) {
    const previous = out.at(-1);
    const afterResults = previous?.role === 'user' && Array.isArray(previous.content) && previous.content.length > 0 && previous.content.every((b) => b.type === 'tool_result');
    if (message.role === 'user' && afterResults) {
      const blocks = userBlocks(message);
      if (blocks.length > 0) (previous.content as ContentBlockParam[]).push(...blocks);
    } else if (message.role === 'tool') {
      const block: ContentBlockParam = { type: 'tool_result', tool_use_id: message.toolCallId, content: message.parts ? textBlocks(message) : message.content, ...(message.isError ? { is_error: true } : {}) };
      if (afterResults) (previous.content as ContentBlockParam[]).push(block);
      else out.push({ role: 'user', content: [block] });
    } else if (message.role === 'assistant' && message.toolCalls?.length) {
      out.push({
        role: 'assistant',
        content: [
          ...textBlocks(message),
          ...message.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: parseArguments(call.arguments) })),
        ],
      });
    } else if (message.parts) {
      // The caller's order: text and images interleaved as sent.
      const content = message.parts.flatMap((part): ContentBlockParam[] => (part.type === 'image' ? [imageBlock(part.url)] : part.text !== '' ? [{ type: 'text', text: part.text }] : []));
      out.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content });
    } else if (message.role === 'user' && message.images?.length) {
      out.push({ role: 'user', content: [...message.images.map((image) => imageBlock(image.url)), ...(message.content !== '' ? [{ type: 'text' as const, text: message.content }] : [])] });
    } else out.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: message.content });
  }
  return out;
}

/**
 * Anthropic takes system text only as the top-level `system`: every system turn goes there, in order, each text
 * part its own block (a system turn between other turns moves to the top). One block is sent as a string.
 */
function splitSystem(turns: readonly ChatMessage[], engineId: string): { system?: string | TextBlockParam[]; messages: ChatMessage[] } {
  const blocks: TextBlockParam[] = [];
  const messages: ChatMessage[] = [];
  for (const turn of turns) {
    if (turn.role === 'system') blocks.push(...textBlocks(turn));
    else messages.push(turn);
  }
  if (messages.length === 0) {
    throw new InvalidInputError({ message: `${engineId}: Anthropic needs at least one user or assistant message besides the system ones`, field: 'messages', expected: 'a user message', found: 'system messages only' });
  }
  if (blocks.length === 0) return { messages };
  return { system: blocks.length === 1 ? blocks[0]!.text : blocks, messages };
}

function toolChoiceOf(choice: GenerationParameters['toolChoice'], parallel: boolean | undefined): WireToolChoice | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...disable } : undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') return { type: 'auto', ...disable };
  if (choice === 'required') return { type: 'any', ...disable };
  return { type: 'tool', name: choice.name, ...disable };
}

/** The answer inside a wrapped format tool's input, as JSON text ('' when the model left it out: validation then fails). */
function unwrapped(input: unknown): string {
  const value = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[FORMAT_VALUE] : undefined;
  return value === undefined ? '' : JSON.stringify(value);
}

/** The collected input of a streamed wrapped answer; text that is not JSON is no answer (validation then fails). */
function parseFormatJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

function formatSchema(schema: Readonly<Record<string, unknown>> | undefined): Tool['input_schema'] {
  if (schema === undefined) return { type: 'object' };
  return (isObjectRoot(schema) ? { ...schema, type: 'object' } : wrappedSchema(schema)) as { type: 'object' };
}

/** Anthropic's Messages API. */
export class AnthropicChatEngine extends CloudLlmEngine {
  readonly capabilities: EngineCapabilities;
  #client: Anthropic | undefined;

  constructor(provider: CloudLlmProviderOptions, logger?: PluginLogger) {
    super(provider, logger);
    this.capabilities = {
      workloads: ['completion', 'stream'],
      targets: ['cloud'],
      features: ['streaming', 'abort', 'system-prompt', 'usage', 'tools', 'json-mode', 'vision', ...(provider.prices ? ['cost'] : [])],
      parameters: ANTHROPIC_PARAMETERS,
      messageFields: ANTHROPIC_MESSAGE_FIELDS,
      ...(provider.contextWindow ? { contextWindow: provider.contextWindow } : {}),
    };
  }

  private client(): Anthropic {
    this.#client ??= new Anthropic({
      apiKey: this.apiKey() ?? null,
      ...(this.provider.baseURL ? { baseURL: this.provider.baseURL } : {}),
      maxRetries: 0,
      timeout: this.provider.timeoutMs ?? 60_000,
      ...(this.provider.headers ? { defaultHeaders: { ...this.provider.headers } } : {}),
    });
    return this.#client;
  }

  /** True when structured output is answered through the forced format tool (its input is the JSON). */
  private formatTool(p: GenerationParameters): boolean {
    return p.responseFormat?.type === 'json';
  }

  /** True when the format tool's input is `{value}` around the answer (the schema's root is not an object). */
  private formatWrapped(p: GenerationParameters): boolean {
    return p.responseFormat?.type === 'json' && p.responseFormat.schema !== undefined && !isObjectRoot(p.responseFormat.schema);
  }

  private body(call: ProviderCall): MessageCreateParamsBase {
    const p = call.request.parameters ?? {};
    const { model, system, messages, tools, tool_choice } = this.promptBody(call);
    return {
      model,
      max_tokens: p.maxTokens ?? this.provider.defaultMaxTokens ?? 1024,
      ...(system !== undefined ? { system } : {}),
      messages,
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.topP !== undefined ? { top_p: p.topP } : {}),
      ...(p.topK !== undefined ? { top_k: p.topK } : {}),
      ...(p.stop?.length ? { stop_sequences: [...p.stop] } : {}),
      ...(p.user !== undefined ? { metadata: { user_id: p.user } } : {}),
      ...(tools !== undefined ? { tools } : {}),
      ...(tool_choice !== undefined ? { tool_choice } : {}),
    };
  }

  /** What the model reads (the count_tokens body): system, turns, tools and tool choice, without generation limits. */
  private promptBody(call: ProviderCall): Pick<MessageCreateParamsBase, 'model' | 'system' | 'messages' | 'tools' | 'tool_choice'> {
    if (call.request.input.kind === 'text' && call.request.input.rawPrompt === true) {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `${this.id} (model '${call.model}'): a raw prompt (legacy completions) is not supported: the Messages API only takes chat turns (send it to /v1/chat/completions or /v1/messages)`,
        details: { engine: this.id, model: call.model, field: 'prompt' },
      });
    }
    checkToolArguments(call.request.input, this.id);
    const prompt = splitSystem(chatTurnsFromInput(call.request.input, this.id), this.id);
    const p = call.request.parameters ?? {};
    if (this.formatTool(p) && p.tools?.length) {
      throw new SwitchyardError({
        code: 'UNSUPPORTED',
        message: `${this.id} (model '${call.model}'): response_format together with tools is not supported on Anthropic (structured output uses a forced tool)`,
        details: { engine: this.id, model: call.model, field: 'response_format' },
      });
    }
    const format = p.responseFormat?.type === 'json' ? p.responseFormat : undefined;
    const tools = format
      ? [{ name: FORMAT_TOOL, description: format.description ?? 'Answer with this JSON', input_schema: formatSchema(format.schema), ...(format.strict !== undefined ? { strict: format.strict } : {}) }]
      : p.tools?.map((tool) => ({
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          input_schema: { type: 'object' as const, ...tool.parameters },
          ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
          ...(tool.eagerInputStreaming !== undefined ? { eager_input_streaming: tool.eagerInputStreaming } : {}),
        }));
    const toolChoice = format ? ({ type: 'tool', name: FORMAT_TOOL } as const) : toolChoiceOf(p.toolChoice, p.parallelToolCalls);
    return {
      model: call.model,
      ...(prompt.system !== undefined ? { system: prompt.system } : {}),
      messages: toWireMessages(prompt.messages),
      ...(tools?.length ? { tools } : {}),
      ...(toolChoice ? { tool_choice: toolChoice } : {}),
    };
  }

  /** Anthropic's `/v1/messages/count_tokens` with the body a run would send, minus max_tokens and sampling. */
  async doCountTokens(request: EngineRunRequest, signal: AbortSignal): Promise<EngineTokenCount> {
    const model = this.providerModel(request.modelId);
    try {
      throwIfAborted(signal, `${this.id} count_tokens`);
      const call = { model, request, signal };
      const counted = await this.client().messages.countTokens(this.promptBody(call), this.requestOptions(call));
      return { inputTokens: counted.input_tokens };
    } catch (error) {
      throw toCloudLlmError(error, this.errorContext(model, signal));
    }
  }

  private requestOptions(call: ProviderCall) {
    return upstreamRequestOptions(call);
  }

  protected async chat(call: ProviderCall): Promise<EngineRunResult> {
    const asFormat = this.formatTool(call.request.parameters ?? {});
    const wrapped = this.formatWrapped(call.request.parameters ?? {});
    const message = await this.client().messages.create({ ...this.body(call), stream: false }, this.requestOptions(call));
    let text = '';
    const toolCalls: ToolCall[] = [];
    for (const block of message.content) {
      if (block.type === 'text') text += block.text;
      else if (block.type === 'tool_use') {
        if (asFormat && block.name === FORMAT_TOOL) text += (wrapped ? unwrapped(block.input) : JSON.stringify(block.input));
        else toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
      }
    }
    const finishReason = asFormat && message.stop_reason === 'tool_use' ? 'stop' : anthropicFinishReason(message.stop_reason);
    return {
      output: { kind: 'text', text, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
      finishReason,
      ...(message.stop_reason === 'stop_sequence' && message.stop_sequence ? { stopSequence: message.stop_sequence } : {}),
      usage: usageWithCost(anthropicUsageCounts(message.usage), this.price(call.model)),
    };
  }

  protected async *chatStream(call: ProviderCall): AsyncGenerator<EngineStreamPart> {
    const asFormat = this.formatTool(call.request.parameters ?? {});
    // A wrapped answer (`{value}`) can only be unwrapped whole: its JSON is collected and sent when the block stops.
    const wrapped = this.formatWrapped(call.request.parameters ?? {});
    let wrappedJson = '';
    const stream = await this.client().messages.create({ ...this.body(call), stream: true }, this.requestOptions(call));
    yield { type: 'start', modelId: call.request.modelId };
    let finish: FinishReason | undefined;
    let stopped = false;
    let stopSequence: string | undefined;
    // message_start carries the input counts, message_delta the output count (and, on newer APIs, updated input counts).
    let usage: AnthropicWireUsage = {};
    // content block index -> tool call id (tool_use blocks) or FORMAT_TOOL (the structured-output block, streamed as text).
    const toolBlocks = new Map<number, string>();
    let toolIndex = 0;
    for await (const event of stream) {
      assertStreamNotAborted(call.signal, this.id);
      switch (event.type) {
        case 'message_start':
          usage = event.message.usage;
          break;
        case 'content_block_start':
          if (event.content_block.type === 'tool_use') {
            if (asFormat && event.content_block.name === FORMAT_TOOL) toolBlocks.set(event.index, FORMAT_TOOL);
            else {
              toolBlocks.set(event.index, event.content_block.id);
              yield { type: 'tool-call-start', id: event.content_block.id, name: event.content_block.name, index: toolIndex++ };
            }
          }
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta' && event.delta.text) yield { type: 'delta', kind: 'text', text: event.delta.text };
          else if (event.delta.type === 'input_json_delta' && event.delta.partial_json) {
            const id = toolBlocks.get(event.index);
            if (id === FORMAT_TOOL && wrapped) wrappedJson += event.delta.partial_json;
            else if (id === FORMAT_TOOL) yield { type: 'delta', kind: 'text', text: event.delta.partial_json };
            else if (id !== undefined) yield { type: 'tool-call-delta', id, argumentsDelta: event.delta.partial_json };
          }
          break;
        case 'content_block_stop': {
          const id = toolBlocks.get(event.index);
          if (id !== undefined && id !== FORMAT_TOOL) yield { type: 'tool-call-end', id };
          else if (id === FORMAT_TOOL && wrapped) {
            const text = unwrapped(parseFormatJson(wrappedJson));
            if (text !== '') yield { type: 'delta', kind: 'text', text };
          }
          break;
        }
        case 'message_delta':
          finish = asFormat && event.delta.stop_reason === 'tool_use' ? 'stop' : anthropicFinishReason(event.delta.stop_reason);
          if (event.delta.stop_reason === 'stop_sequence' && event.delta.stop_sequence) stopSequence = event.delta.stop_sequence;
          usage = { ...usage, ...definedCounts(event.usage) };
          break;
        case 'message_stop':
          stopped = true;
          break;
        default:
          break;
      }
    }
    assertStreamNotAborted(call.signal, this.id);
    if (!stopped) throw droppedStreamError(this.id, call.model);
    yield {
      type: 'finish',
      finishReason: finish ?? 'stop',
      ...(stopSequence !== undefined ? { stopSequence } : {}),
      usage: usageWithCost(anthropicUsageCounts(usage), this.price(call.model)),
    };
  }

  protected async embed(): Promise<EngineRunResult> {
    throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${this.id}: Anthropic has no embeddings API`, details: { engine: this.id } });
  }

  protected async probe(): Promise<void> {}
}
