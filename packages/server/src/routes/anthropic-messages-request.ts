import type { ChatImagePart, ChatMessage, GenerationParameters, ToolCall, ToolChoice } from '@switchyard/core';
import { httpError } from '../http-error.js';

const textBlock = { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string' } } } as const;
const imageBlock = {
  type: 'object',
  required: ['type', 'source'],
  properties: {
    type: { const: 'image' },
    source: {
      anyOf: [
        { type: 'object', required: ['type', 'media_type', 'data'], properties: { type: { const: 'base64' }, media_type: { type: 'string' }, data: { type: 'string' } } },
        { type: 'object', required: ['type', 'url'], properties: { type: { const: 'url' }, url: { type: 'string' } } },
      ],
    },
  },
} as const;
const toolUseBlock = { type: 'object', required: ['type', 'id', 'name', 'input'], properties: { type: { const: 'tool_use' }, id: { type: 'string' }, name: { type: 'string' }, input: {} } } as const;
const toolResultBlock = {
  type: 'object',
  required: ['type', 'tool_use_id'],
  properties: { type: { const: 'tool_result' }, tool_use_id: { type: 'string' }, content: { anyOf: [{ type: 'string' }, { type: 'array', items: textBlock }] }, is_error: { type: 'boolean' } },
} as const;

/**
 * Anthropic's Messages request (every field of the SDK's MessageCreateParams): honoured, or refused by name.
 * `cache_control` on blocks is accepted and has no effect on the answer (it is a provider-side cache hint).
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
          content: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [textBlock, imageBlock, toolUseBlock, toolResultBlock] } }] },
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
      items: { type: 'object', required: ['name', 'input_schema'], properties: { name: { type: 'string', minLength: 1 }, description: { type: 'string' }, input_schema: { type: 'object' } } },
    },
    tool_choice: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['auto', 'any', 'tool', 'none'] }, name: { type: 'string' }, disable_parallel_tool_use: { type: 'boolean' } },
    },
    thinking: { type: 'object' },
    service_tier: { type: 'string' },
  },
} as const;

type Block =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content?: string | { type: 'text'; text: string }[] };

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
  tools?: { name: string; description?: string; input_schema: Record<string, unknown> }[];
  tool_choice?: { type: 'auto' | 'any' | 'tool' | 'none'; name?: string; disable_parallel_tool_use?: boolean };
  thinking?: Record<string, unknown>;
  service_tier?: string;
}

/** Fields no engine behind the gateway implements through this face: refused by name. */
const UNSUPPORTED_FIELDS = ['thinking', 'service_tier'] as const;

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
};

const blockText = (content: string | { type: 'text'; text: string }[] | undefined) => (typeof content === 'string' ? content : (content ?? []).map((b) => b.text).join(''));

/** Messages turns -> engine ChatMessages: tool_result blocks become `tool` turns, tool_use blocks assistant tool calls. */
export function toChatMessagesFromAnthropic(body: MessagesBody): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (body.system !== undefined) out.push({ role: 'system', content: blockText(body.system) });
  for (const message of body.messages) {
    if (typeof message.content === 'string') {
      out.push({ role: message.role, content: message.content });
      continue;
    }
    let text = '';
    const images: ChatImagePart[] = [];
    const toolCalls: ToolCall[] = [];
    for (const block of message.content) {
      if (block.type === 'text') text += block.text;
      else if (block.type === 'image') images.push({ url: block.source.type === 'url' ? block.source.url : `data:${block.source.media_type};base64,${block.source.data}` });
      else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
      else out.push({ role: 'tool', toolCallId: block.tool_use_id, content: blockText(block.content) });
    }
    if (message.role === 'assistant') out.push(toolCalls.length > 0 ? { role: 'assistant', content: text, toolCalls } : { role: 'assistant', content: text });
    else if (text !== '' || images.length > 0) out.push(images.length > 0 ? { role: 'user', content: text, images } : { role: 'user', content: text });
  }
  return out;
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

export function toMessagesCall(body: MessagesBody): { messages: ChatMessage[]; parameters: GenerationParameters } {
  for (const field of UNSUPPORTED_FIELDS) {
    if (body[field] !== undefined) throw httpError('UNSUPPORTED', `'${field}' is not supported for model '${body.model}' by this gateway`, { details: { field } });
  }
  if (body.tool_choice?.type === 'tool' && !body.tool_choice.name) throw httpError('INVALID_PARAMS', "body/tool_choice must name the tool when type is 'tool'", { details: { field: 'tool_choice.name' } });
  const toolChoice = toolChoiceOf(body.tool_choice);
  const parameters: GenerationParameters = {
    maxTokens: body.max_tokens,
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
    ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
    ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
    ...(body.metadata?.user_id ? { user: body.metadata.user_id } : {}),
    ...(body.tools?.length ? { tools: body.tools.map((t) => ({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: t.input_schema })) } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(body.tool_choice?.disable_parallel_tool_use ? { parallelToolCalls: false } : {}),
  };
  return { messages: toChatMessagesFromAnthropic(body), parameters };
}
