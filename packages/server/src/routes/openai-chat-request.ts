import type { ChatImagePart, ChatMessage, GenerationParameters, ToolCall, ToolChoice, ToolDefinition } from '@switchyard/core';
import { refuseOrDrop, type ChangesAnswer } from './unsupported-fields.js';

const textPart = { type: 'object', required: ['type', 'text'], properties: { type: { const: 'text' }, text: { type: 'string' } } } as const;
const imagePart = {
  type: 'object',
  required: ['type', 'image_url'],
  properties: {
    type: { const: 'image_url' },
    image_url: { type: 'object', required: ['url'], properties: { url: { type: 'string', minLength: 1 }, detail: { enum: ['auto', 'low', 'high'] } } },
  },
} as const;
const textContent = { anyOf: [{ type: 'string' }, { type: 'array', items: textPart }] } as const;
const toolCallSchema = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { const: 'function' },
    function: { type: 'object', required: ['name', 'arguments'], properties: { name: { type: 'string' }, arguments: { type: 'string' } } },
  },
} as const;

const messageSchema = {
  type: 'object',
  required: ['role'],
  oneOf: [
    { properties: { role: { enum: ['system', 'developer'] }, content: textContent, name: { type: 'string' } }, required: ['content'] },
    { properties: { role: { const: 'user' }, content: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [textPart, imagePart] } }] }, name: { type: 'string' } }, required: ['content'] },
    {
      properties: {
        role: { const: 'assistant' },
        content: { anyOf: [textContent, { type: 'null' }] },
        name: { type: 'string' },
        refusal: { type: ['string', 'null'] },
        tool_calls: { type: 'array', items: toolCallSchema },
      },
    },
    { properties: { role: { const: 'tool' }, content: textContent, tool_call_id: { type: 'string', minLength: 1 } }, required: ['content', 'tool_call_id'] },
  ],
} as const;

const toolSchema = {
  type: 'object',
  required: ['type', 'function'],
  properties: {
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, description: { type: 'string' }, parameters: { type: 'object' }, strict: { type: ['boolean', 'null'] } },
    },
  },
} as const;

/**
 * Every field of OpenAI's chat-completions request. Each one is honoured (mapped below), accepted only with a
 * value that changes nothing (`n: 1`, `logprobs: false`, `modalities: ['text']`, `store: false`), or refused by
 * UNSUPPORTED_FIELDS; a field not listed is a 400 naming it (additionalProperties).
 */
export const chatRequestSchema = {
  type: 'object',
  required: ['model', 'messages'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    messages: { type: 'array', minItems: 1, items: messageSchema },
    stream: { type: ['boolean', 'null'] },
    stream_options: { type: ['object', 'null'], properties: { include_usage: { type: 'boolean' }, include_obfuscation: { type: 'boolean' } } },
    max_tokens: { type: ['integer', 'null'], minimum: 1 },
    max_completion_tokens: { type: ['integer', 'null'], minimum: 1 },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    seed: { type: ['integer', 'null'] },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', maxItems: 4, items: { type: 'string' } }, { type: 'null' }] },
    n: { type: ['integer', 'null'], minimum: 1 },
    presence_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
    frequency_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
    logit_bias: { type: ['object', 'null'], additionalProperties: { type: 'number', minimum: -100, maximum: 100 } },
    user: { type: 'string' },
    tools: { type: 'array', items: toolSchema },
    tool_choice: {
      anyOf: [
        { enum: ['none', 'auto', 'required'] },
        { type: 'object', required: ['type', 'function'], properties: { type: { const: 'function' }, function: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
      ],
    },
    parallel_tool_calls: { type: 'boolean' },
    response_format: {
      anyOf: [
        { type: 'object', required: ['type'], properties: { type: { enum: ['text', 'json_object'] } } },
        {
          type: 'object',
          required: ['type', 'json_schema'],
          properties: {
            type: { const: 'json_schema' },
            json_schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, description: { type: 'string' }, schema: { type: 'object' }, strict: { type: ['boolean', 'null'] } } },
          },
        },
      ],
    },
    reasoning_effort: { enum: ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max', null] },
    service_tier: { type: ['string', 'null'] },
    drop_params: { type: 'boolean' },
    logprobs: { type: ['boolean', 'null'] },
    top_logprobs: { type: ['integer', 'null'] },
    modalities: { type: ['array', 'null'], items: { type: 'string' } },
    store: { type: ['boolean', 'null'] },
    metadata: { type: ['object', 'null'] },
    audio: { type: ['object', 'null'] },
    prediction: { type: ['object', 'null'] },
    web_search_options: { type: 'object' },
    functions: { type: 'array' },
    function_call: {},
    prompt_cache_key: { type: 'string' },
    safety_identifier: { type: 'string' },
    verbosity: { type: ['string', 'null'] },
    moderation: { type: ['object', 'null'] },
    prompt_cache_options: { type: 'object' },
    prompt_cache_retention: { type: ['string', 'null'] },
  },
} as const;

type Text = string | { type: 'text'; text: string }[];
type UserContent = string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } })[];
type WireMessage =
  | { role: 'system' | 'developer'; content: Text }
  | { role: 'user'; content: UserContent }
  | { role: 'assistant'; content?: Text | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[] }
  | { role: 'tool'; content: Text; tool_call_id: string };

export interface ChatBody {
  model: string;
  messages: WireMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  user?: string;
  tools?: { function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null } }[];
  tool_choice?: 'none' | 'auto' | 'required' | { function: { name: string } };
  parallel_tool_calls?: boolean;
  response_format?: { type: 'text' | 'json_object' } | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };
  reasoning_effort?: NonNullable<GenerationParameters['reasoningEffort']> | null;
  service_tier?: string | null;
  drop_params?: boolean;
  [field: string]: unknown;
}

/** Fields no engine behind this gateway implements: a value that would change the answer is refused (or dropped on opt-in). */
const UNSUPPORTED_FIELDS: Readonly<Record<string, ChangesAnswer>> = {
  n: (value) => value !== 1,
  logprobs: (value) => value === true,
  top_logprobs: () => true,
  modalities: (value) => !(Array.isArray(value) && value.every((m) => m === 'text')),
  store: (value) => value === true,
  metadata: () => true,
  audio: () => true,
  prediction: () => true,
  web_search_options: () => true,
  functions: () => true,
  function_call: () => true,
  prompt_cache_key: () => true,
  safety_identifier: () => true,
  verbosity: () => true,
  moderation: () => true,
  prompt_cache_options: () => true,
  prompt_cache_retention: () => true,
};

/** GenerationParameters key -> the OpenAI field it came from (error messages and the dropped-params header). */
export const OPENAI_FIELD_FOR: Readonly<Record<string, string>> = {
  maxTokens: 'max_tokens',
  temperature: 'temperature',
  topP: 'top_p',
  seed: 'seed',
  stop: 'stop',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  logitBias: 'logit_bias',
  user: 'user',
  tools: 'tools',
  toolChoice: 'tool_choice',
  parallelToolCalls: 'parallel_tool_calls',
  responseFormat: 'response_format',
  reasoningEffort: 'reasoning_effort',
  serviceTier: 'service_tier',
};

const joinText = (content: Text | null | undefined): string => (typeof content === 'string' ? content : (content ?? []).map((part) => part.text).join(''));

/** OpenAI messages -> engine ChatMessages (developer = system; tool calls, tool results and images kept). */
export function toChatMessages(messages: readonly WireMessage[]): ChatMessage[] {
  return messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: joinText(message.content) };
      case 'user': {
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        const images: ChatImagePart[] = [];
        let text = '';
        for (const part of message.content) {
          if (part.type === 'text') text += part.text;
          else images.push({ url: part.image_url.url, ...(part.image_url.detail ? { detail: part.image_url.detail } : {}) });
        }
        return images.length > 0 ? { role: 'user', content: text, images } : { role: 'user', content: text };
      }
      case 'assistant': {
        const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
        return toolCalls.length > 0 ? { role: 'assistant', content: joinText(message.content), toolCalls } : { role: 'assistant', content: joinText(message.content) };
      }
      default:
        return { role: 'tool', content: joinText(message.content), toolCallId: message.tool_call_id };
    }
  });
}

function toolChoiceOf(choice: ChatBody['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { type: 'tool', name: choice.function.name };
}

function toolsOf(tools: ChatBody['tools']): ToolDefinition[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((tool) => ({
    name: tool.function.name,
    ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
    ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
  }));
}

function responseFormatOf(format: ChatBody['response_format']): GenerationParameters['responseFormat'] {
  if (!format) return undefined;
  if (!('json_schema' in format)) return format.type === 'text' ? { type: 'text' } : { type: 'json' };
  const spec = format.json_schema;
  return {
    type: 'json',
    name: spec.name,
    ...(spec.schema ? { schema: spec.schema } : {}),
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.strict != null ? { strict: spec.strict } : {}),
  };
}

export interface ChatCall {
  readonly messages: ChatMessage[];
  readonly parameters: GenerationParameters;
  /** Fields the gateway itself dropped (`drop_params`); engine-level drops are added by the orchestrator. */
  readonly dropped: string[];
  readonly dropParams: boolean;
}

/** Validated body -> engine messages and parameters; a field the gateway cannot honour is a 400 naming it and the model. */
export function toChatCall(body: ChatBody, dropParamsByDefault: boolean): ChatCall {
  const dropParams = body.drop_params ?? dropParamsByDefault;
  const dropped = refuseOrDrop(body, UNSUPPORTED_FIELDS, body.model, dropParams);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  const tools = toolsOf(body.tools);
  const toolChoice = toolChoiceOf(body.tool_choice);
  const responseFormat = responseFormatOf(body.response_format);
  // Assigned field by field (no spread temporaries per request); absent and null fields are left out.
  const parameters: { -readonly [K in keyof GenerationParameters]: GenerationParameters[K] } = {};
  if (maxTokens != null) parameters.maxTokens = maxTokens;
  if (body.temperature != null) parameters.temperature = body.temperature;
  if (body.top_p != null) parameters.topP = body.top_p;
  if (body.seed != null) parameters.seed = body.seed;
  if (stop?.length) parameters.stop = stop;
  if (body.presence_penalty != null) parameters.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) parameters.frequencyPenalty = body.frequency_penalty;
  if (body.logit_bias != null) parameters.logitBias = body.logit_bias;
  if (body.user !== undefined) parameters.user = body.user;
  if (tools) parameters.tools = tools;
  if (toolChoice !== undefined) parameters.toolChoice = toolChoice;
  if (body.parallel_tool_calls !== undefined) parameters.parallelToolCalls = body.parallel_tool_calls;
  if (responseFormat) parameters.responseFormat = responseFormat;
  if (body.reasoning_effort != null) parameters.reasoningEffort = body.reasoning_effort;
  if (body.service_tier != null) parameters.serviceTier = body.service_tier;
  return { messages: toChatMessages(body.messages), parameters, dropped, dropParams };
}
