import type { ChatContentPart, ChatMessage, GenerationParameters, ToolCall, ToolChoice, ToolDefinition } from '@switchyard/core';
import { httpError } from '../http-error.js';
import { ALWAYS, checkKeys, checkToolChoiceTools, checkToolNamesUnique, contentFromParts, unsupportedField, type NestedFieldCheck } from './nested-fields.js';
import type { ChangesAnswer } from './unsupported-fields.js';

const textBlock = { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string' } } } as const;
const imageBlock = {
  type: 'object',
  required: ['type', 'source'],
  properties: {
    type: { const: 'image' },
    source: {
      anyOf: [
        { type: 'object', required: ['type', 'media_type', 'data'], properties: { type: { const: 'base64' }, media_type: { enum: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] }, data: { type: 'string' } } },
        { type: 'object', required: ['type', 'url'], properties: { type: { const: 'url' }, url: { type: 'string' } } },
      ],
    },
  },
} as const;
// `input` is an object, as Anthropic takes it (and as the gateway requires of a model's tool call).
const toolUseBlock = { type: 'object', required: ['type', 'id', 'name', 'input'], properties: { type: { const: 'tool_use' }, id: { type: 'string' }, name: { type: 'string' }, input: { type: 'object' } } } as const;
/** Block types of the API that no engine here takes: refused by name in code (content, so never dropped). */
const otherBlock = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['document', 'search_result', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result', 'container_upload'] } },
} as const;
const toolResultBlock = {
  type: 'object',
  required: ['type', 'tool_use_id'],
  properties: {
    type: { const: 'tool_result' },
    tool_use_id: { type: 'string' },
    content: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [textBlock, imageBlock, otherBlock] } }] },
    is_error: { type: 'boolean' },
  },
} as const;

/**
 * Anthropic's Messages request (every field of the SDK's MessageCreateParams): honoured, or refused by name.
 * Nested fields are checked key by key in code (checkMessagesFields): `cache_control` and `citations` are refused
 * (dropped with drop_params), unknown keys are a 400 naming them.
 */
export const messagesRequestSchema = {
  type: 'object',
  required: ['model', 'max_tokens', 'messages'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    max_tokens: { type: 'integer', minimum: 1 },
    messages: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['role', 'content'],
        properties: {
          role: { enum: ['user', 'assistant'] },
          content: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [textBlock, imageBlock, toolUseBlock, toolResultBlock, otherBlock] } }] },
        },
      },
    },
    system: { anyOf: [{ type: 'string' }, { type: 'array', items: textBlock }] },
    stop_sequences: { type: 'array', items: { type: 'string' } },
    stream: { type: 'boolean' },
    temperature: { type: 'number', minimum: 0, maximum: 1 },
    top_p: { type: 'number', minimum: 0, maximum: 1 },
    top_k: { type: 'integer', minimum: 0 },
    metadata: { type: 'object', properties: { user_id: { type: ['string', 'null'] } }, additionalProperties: false },
    tools: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'input_schema'],
        properties: { name: { type: 'string', minLength: 1 }, description: { type: 'string' }, input_schema: { type: 'object' }, strict: { type: 'boolean' }, eager_input_streaming: { type: ['boolean', 'null'] } },
      },
    },
    tool_choice: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['auto', 'any', 'tool', 'none'] }, name: { type: 'string' }, disable_parallel_tool_use: { type: 'boolean' } },
    },
    // Structured output (`format`, as response_format json_schema) and reasoning effort (as reasoning_effort).
    output_config: {
      type: 'object',
      additionalProperties: false,
      properties: {
        effort: { enum: ['low', 'medium', 'high', 'xhigh', 'max', null] },
        format: { anyOf: [{ type: 'null' }, { type: 'object', required: ['type', 'schema'], additionalProperties: false, properties: { type: { const: 'json_schema' }, schema: { type: 'object' } } }] },
      },
    },
    thinking: { type: 'object' },
    service_tier: { type: 'string' },
    cache_control: { type: ['object', 'null'] },
    container: {},
    diagnostics: {},
    inference_geo: { type: ['string', 'null'] },
    speed: { enum: ['standard', 'fast', null] },
    user_profile_id: { type: ['string', 'null'] },
    workspace_id: { type: ['string', 'null'] },
    drop_params: { type: 'boolean' },
  },
} as const;

/**
 * `POST /v1/messages/count_tokens` (the SDK's MessageCountTokensParams): the Messages request's `model`,
 * `messages`, `system`, `tools`, `tool_choice`, `thinking` (refused as on /v1/messages) and `drop_params`, checked
 * by the same schema pieces; generation fields (`max_tokens`, sampling, `stream`) are not fields of it.
 */
const {
  max_tokens: _maxTokens,
  stop_sequences: _stop,
  stream: _stream,
  temperature: _temperature,
  top_p: _topP,
  top_k: _topK,
  metadata: _metadata,
  service_tier: _serviceTier,
  container: _container,
  diagnostics: _diagnostics,
  inference_geo: _inferenceGeo,
  ...countTokensProperties
} = messagesRequestSchema.properties;
export const countTokensRequestSchema = { type: 'object', required: ['model', 'messages'], additionalProperties: false, properties: countTokensProperties } as const;

type Block =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content?: string | { type: 'text'; text: string }[]; is_error?: boolean };

/** A count_tokens body: the Messages request without its generation fields. */
export type CountTokensBody = Omit<
  MessagesBody,
  'max_tokens' | 'stop_sequences' | 'stream' | 'temperature' | 'top_p' | 'top_k' | 'metadata' | 'service_tier' | 'container' | 'diagnostics' | 'inference_geo'
>;

export interface MessagesBody {
  model: string;
  max_tokens: number;
  messages: { role: 'user' | 'assistant'; content: string | Block[] }[];
  system?: string | { type: 'text'; text: string }[];
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null };
  tools?: { name: string; description?: string; input_schema: Record<string, unknown>; strict?: boolean; eager_input_streaming?: boolean | null }[];
  tool_choice?: { type: 'auto' | 'any' | 'tool' | 'none'; name?: string; disable_parallel_tool_use?: boolean };
  output_config?: { effort?: 'low' | 'medium' | 'high' | 'xhigh' | 'max' | null; format?: { type: 'json_schema'; schema: Record<string, unknown> } | null };
  thinking?: Record<string, unknown>;
  service_tier?: string;
  cache_control?: Record<string, unknown> | null;
  container?: unknown;
  diagnostics?: unknown;
  inference_geo?: string | null;
  speed?: 'standard' | 'fast' | null;
  user_profile_id?: string | null;
  workspace_id?: string | null;
  drop_params?: boolean;
}

/**
 * Fields no engine behind the gateway implements through this face: refused by name (dropped with drop_params) when
 * their value would change the answer (null is the API's default, as is speed `standard`).
 */
const UNSUPPORTED_FIELDS: Readonly<Record<string, ChangesAnswer>> = {
  thinking: ALWAYS,
  service_tier: ALWAYS,
  cache_control: ALWAYS,
  container: ALWAYS,
  diagnostics: ALWAYS,
  inference_geo: ALWAYS,
  speed: (value) => value !== 'standard',
  user_profile_id: ALWAYS,
  workspace_id: ALWAYS,
};

/** GenerationParameters key -> Messages field (error messages name the field the caller sent). */
export const MESSAGES_FIELD_FOR: Readonly<Record<string, string>> = {
  maxTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  topK: 'top_k',
  stop: 'stop_sequences',
  user: 'metadata.user_id',
  tools: 'tools',
  toolChoice: 'tool_choice',
  parallelToolCalls: 'tool_choice.disable_parallel_tool_use',
  responseFormat: 'output_config.format',
  reasoningEffort: 'output_config.effort',
};

const textOf = (content: string | { type: 'text'; text: string }[] | undefined): { content: string; parts?: ChatContentPart[] } =>
  typeof content === 'string' ? { content } : contentFromParts((content ?? []).map((block) => ({ type: 'text', text: block.text })));

/** Engine turns plus, for each, where it came from in the body (`system`, `messages[2]`, `messages[3].content[1]`). */
export interface AnthropicTurns {
  readonly messages: ChatMessage[];
  readonly sources: string[];
}

/**
 * Messages turns -> engine ChatMessages: tool_result blocks become `tool` turns (with `isError`), tool_use blocks
 * assistant tool calls; text and image blocks stay in order as parts, each system block a part of the system turn.
 */
export function toChatMessagesFromAnthropic(body: CountTokensBody): AnthropicTurns {
  const messages: ChatMessage[] = [];
  const sources: string[] = [];
  const push = (message: ChatMessage, source: string) => {
    messages.push(message);
    sources.push(source);
  };
  if (body.system !== undefined) push({ role: 'system', ...textOf(body.system) }, 'system');
  body.messages.forEach((message, i) => {
    if (typeof message.content === 'string') return push({ role: message.role, content: message.content }, `messages[${i}]`);
    const parts: ChatContentPart[] = [];
    const toolCalls: ToolCall[] = [];
    message.content.forEach((block, j) => {
      // As Anthropic requires: a turn's tool results come first (engines get them as tool turns before its text, so
      // text or an image before one would be reordered, not kept in order).
      if (block.type === 'tool_result' && parts.length > 0) {
        throw httpError('INVALID_PARAMS', `body/messages[${i}].content[${j}] is a tool_result after text or an image: tool_result blocks come first in a turn`, { details: { field: `messages[${i}].content[${j}]`, pointer: `/messages/${i}/content/${j}` } });
      }
      if (block.type === 'text') parts.push({ type: 'text', text: block.text });
      else if (block.type === 'image') parts.push({ type: 'image', url: block.source.type === 'url' ? block.source.url : `data:${block.source.media_type};base64,${block.source.data}` });
      else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
      else push({ role: 'tool', toolCallId: block.tool_use_id, ...textOf(block.content), ...(block.is_error ? { isError: true } : {}) }, `messages[${i}].content[${j}]`);
    });
    const content = contentFromParts(parts);
    if (message.role === 'assistant') push(toolCalls.length > 0 ? { role: 'assistant', ...content, toolCalls } : { role: 'assistant', ...content }, `messages[${i}]`);
    else if (parts.length > 0) push({ role: 'user', ...content }, `messages[${i}]`);
  });
  return { messages, sources };
}

/** An engine-side field (`messages[3].isError`) -> the body field it came from (`messages[2].content[1].is_error`). */
export function messagesFieldOf(sources: readonly string[], field: string): string | undefined {
  const match = /^messages\[(\d+)\](?:\.(\w+))?$/.exec(field);
  const source = match ? sources[Number(match[1])] : undefined;
  if (source === undefined) return undefined;
  const rest = match![2];
  return rest === undefined ? source : `${source}.${rest === 'isError' ? 'is_error' : rest}`;
}

const NONE: Readonly<Record<string, ChangesAnswer>> = {};
const CACHE_HINT: Readonly<Record<string, ChangesAnswer>> = { cache_control: ALWAYS };
const TEXT_KNOWN: Readonly<Record<string, ChangesAnswer>> = { cache_control: ALWAYS, citations: (value) => !(Array.isArray(value) && value.length === 0) };
const BLOCK_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  text: new Set(['type', 'text']),
  image: new Set(['type', 'source']),
  tool_use: new Set(['type', 'id', 'name', 'input']),
  tool_result: new Set(['type', 'tool_use_id', 'content', 'is_error']),
};
const SOURCE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = { base64: new Set(['type', 'media_type', 'data']), url: new Set(['type', 'url']) };
const MESSAGE_KEYS: ReadonlySet<string> = new Set(['role', 'content']);
const TOOL_FIELDS = ['name', 'description', 'input_schema', 'strict', 'eager_input_streaming'] as const;
const TOOL_KEYS: ReadonlySet<string> = new Set(TOOL_FIELDS);
/**
 * A client tool's `type` is `custom` (the default); any other names a server tool. Tool search (`defer_loading`),
 * `input_examples` and programmatic calling (`allowed_callers` other than direct) have no engine behind the gateway.
 */
const TOOL_KNOWN = {
  cache_control: ALWAYS,
  type: (value) => value !== 'custom',
  defer_loading: (value) => value === true,
  input_examples: (value) => !(Array.isArray(value) && value.length === 0),
  allowed_callers: (value) => !(Array.isArray(value) && value.length === 1 && value[0] === 'direct'),
} satisfies Readonly<Record<string, ChangesAnswer>>;
/** Every key of a tool the face knows (its type test holds it to the SDK's `Tool`). */
export type ToolKeys = (typeof TOOL_FIELDS)[number] | keyof typeof TOOL_KNOWN;
const TOOL_CHOICE_KEYS: ReadonlySet<string> = new Set(['type', 'name', 'disable_parallel_tool_use']);

type Loose = Record<string, unknown>;

/** One content block (and its source or nested tool-result content) key by key. */
function checkBlock(block: Loose, at: string, check: NestedFieldCheck, inToolResult: boolean): void {
  const keys = BLOCK_KEYS[String(block.type)];
  if (!keys || (inToolResult && block.type !== 'text')) throw unsupportedField(`${at}.type`, check.model, false);
  checkKeys(block, at, `a '${String(block.type)}' block`, keys, block.type === 'text' ? TEXT_KNOWN : CACHE_HINT, check);
  const source = block.source as Loose | undefined;
  if (block.type === 'image' && source) checkKeys(source, `${at}.source`, `a '${String(source.type)}' image source`, SOURCE_KEYS[String(source.type)]!, NONE, check);
  if (block.type === 'tool_result' && Array.isArray(block.content)) (block.content as Loose[]).forEach((inner, k) => checkBlock(inner, `${at}.content[${k}]`, check, true));
}

/** Every nested object of the body key by key: unknown keys are INVALID_PARAMS, known ones no engine takes UNSUPPORTED (or dropped). */
export function checkMessagesFields(body: CountTokensBody, check: NestedFieldCheck): void {
  body.messages.forEach((message, i) => {
    checkKeys(message as unknown as Loose, `messages[${i}]`, 'a message', MESSAGE_KEYS, NONE, check);
    if (Array.isArray(message.content)) message.content.forEach((block, j) => checkBlock(block as unknown as Loose, `messages[${i}].content[${j}]`, check, false));
  });
  if (Array.isArray(body.system)) body.system.forEach((block, j) => checkBlock(block as unknown as Loose, `system[${j}]`, check, true));
  (body.tools ?? []).forEach((tool, i) => checkKeys(tool as unknown as Loose, `tools[${i}]`, 'a tool', TOOL_KEYS, TOOL_KNOWN, check));
  if (body.tool_choice) checkKeys(body.tool_choice as unknown as Loose, 'tool_choice', 'tool_choice', TOOL_CHOICE_KEYS, NONE, check);
}

function toolDefinitionOf(tool: NonNullable<MessagesBody['tools']>[number]): ToolDefinition {
  return {
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    parameters: tool.input_schema,
    ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
    ...(typeof tool.eager_input_streaming === 'boolean' ? { eagerInputStreaming: tool.eager_input_streaming } : {}),
  };
}

function toolChoiceOf(choice: MessagesBody['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'tool', name: choice.name ?? '' };
    default:
      return choice.type;
  }
}

export interface MessagesCall {
  readonly messages: ChatMessage[];
  /** Where each of `messages` came from in the body (error messages and the dropped-params header name those). */
  readonly sources: string[];
  readonly parameters: GenerationParameters;
  /** Fields the gateway itself dropped (`drop_params`); engine-level drops are added by the orchestrator. */
  readonly dropped: string[];
  readonly dropParams: boolean;
}

/** A Messages body (or a count_tokens one, which has no generation fields) -> engine turns and parameters. */
export function toMessagesCall(body: CountTokensBody & Partial<MessagesBody>, dropParamsByDefault = false): MessagesCall {
  const dropParams = body.drop_params ?? dropParamsByDefault;
  const dropped: string[] = [];
  for (const [field, changes] of Object.entries(UNSUPPORTED_FIELDS)) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined || value === null || !changes(value)) continue;
    if (!dropParams) throw httpError('UNSUPPORTED', `'${field}' is not supported for model '${body.model}' by this gateway (send drop_params: true to drop it)`, { details: { field } });
    dropped.push(field);
  }
  checkMessagesFields(body, { model: body.model, dropParams, dropped });
  if (body.tool_choice?.type === 'tool' && !body.tool_choice.name) throw httpError('INVALID_PARAMS', "body/tool_choice must name the tool when type is 'tool'", { details: { field: 'tool_choice.name' } });
  const toolChoice = toolChoiceOf(body.tool_choice);
  checkToolNamesUnique(body.tools, (index) => `tools[${index}].name`);
  checkToolChoiceTools(toolChoice, body.tools, { choice: 'tool_choice', name: 'tool_choice.name' });
  const parameters: GenerationParameters = {
    ...(body.max_tokens !== undefined ? { maxTokens: body.max_tokens } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
    ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
    ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
    ...(body.metadata?.user_id ? { user: body.metadata.user_id } : {}),
    ...(body.tools?.length ? { tools: body.tools.map(toolDefinitionOf) } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(body.tool_choice?.disable_parallel_tool_use ? { parallelToolCalls: false } : {}),
    ...(body.output_config?.format ? { responseFormat: { type: 'json', schema: body.output_config.format.schema } } : {}),
    ...(body.output_config?.effort ? { reasoningEffort: body.output_config.effort } : {}),
  };
  return { ...toChatMessagesFromAnthropic(body), parameters, dropped, dropParams };
}

/** The body field an engine-side field (`messages[3].isError`, `toolChoice`) of this call came from. */
export function messagesFieldFor(call: MessagesCall, field: string): string {
  return messagesFieldOf(call.sources, field) ?? MESSAGES_FIELD_FOR[field] ?? field;
}
