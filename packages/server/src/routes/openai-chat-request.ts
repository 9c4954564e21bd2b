import type { ChatContentPart, ChatMessage, GenerationParameters, ToolCall, ToolChoice, ToolDefinition } from '@switchyard/core';
import { httpError } from '../http-error.js';
import { ALWAYS, checkKeys, checkToolChoiceTools, checkToolNamesUnique, contentFromParts, TEXT_PART_SEPARATOR, unsupportedField, type NestedFieldCheck } from './nested-fields.js';
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
const refusalPart = { type: 'object', required: ['type', 'refusal'], properties: { type: { const: 'refusal' }, refusal: { type: 'string' } } } as const;
/** Content parts of the API that no engine here takes (refused by name in code, not as a schema mismatch). */
const otherUserPart = { type: 'object', required: ['type'], properties: { type: { enum: ['input_audio', 'file'] } } } as const;
const textContent = { anyOf: [{ type: 'string' }, { type: 'array', items: textPart }] } as const;
const toolCallSchema = {
  type: 'object',
  required: ['id', 'type', 'function'],
  properties: {
    id: { type: 'string', minLength: 1 },
    type: { const: 'function' },
    // A stream accumulator's position of the call (`delta.tool_calls[i].index`): the list order already says it.
    index: { type: 'integer' },
    function: { type: 'object', required: ['name', 'arguments'], properties: { name: { type: 'string' }, arguments: { type: 'string' } } },
  },
} as const;

/** `null` is how SDKs that serialise a whole message model write "no name" (OpenAI takes it as absent). */
const optionalName = { type: ['string', 'null'] } as const;
const messageSchema = {
  type: 'object',
  required: ['role'],
  discriminator: { propertyName: 'role' },
  oneOf: [
    { properties: { role: { enum: ['system', 'developer'] }, content: textContent, name: optionalName }, required: ['content'] },
    { properties: { role: { const: 'user' }, content: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [textPart, imagePart, otherUserPart] } }] }, name: optionalName }, required: ['content'] },
    {
      properties: {
        role: { const: 'assistant' },
        content: { anyOf: [{ type: 'string' }, { type: 'array', items: { anyOf: [textPart, refusalPart] } }, { type: 'null' }] },
        name: optionalName,
        refusal: { type: ['string', 'null'] },
        tool_calls: { type: ['array', 'null'], items: toolCallSchema },
        annotations: { type: ['array', 'null'], items: { type: 'object' } },
        reasoning_content: { type: ['string', 'null'] },
      },
    },
    { properties: { role: { const: 'tool' }, content: textContent, tool_call_id: { type: 'string', minLength: 1 }, name: optionalName }, required: ['content', 'tool_call_id'] },
    // The deprecated `function` role is in the API: refused by name in code, not as "matches no form".
    { properties: { role: { const: 'function' } } },
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
    // Beyond 2^53 a JSON number is no longer the integer the caller wrote.
    seed: { type: ['integer', 'null'], minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER },
    stop: { anyOf: [{ type: 'string' }, { type: 'array', maxItems: 4, items: { type: 'string' } }, { type: 'null' }] },
    n: { type: ['integer', 'null'], minimum: 1 },
    presence_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
    frequency_penalty: { type: ['number', 'null'], minimum: -2, maximum: 2 },
    // Token ids (as OpenAI: a key that is not one is refused) to a bias in [-100, 100].
    logit_bias: { type: ['object', 'null'], propertyNames: { pattern: '^[0-9]+$' }, additionalProperties: { type: 'number', minimum: -100, maximum: 100 } },
    user: { type: 'string' },
    tools: { type: 'array', items: { anyOf: [toolSchema, { type: 'object', required: ['type'], properties: { type: { const: 'custom' } } }] } },
    tool_choice: {
      anyOf: [
        { enum: ['none', 'auto', 'required'] },
        { type: 'object', required: ['type', 'function'], properties: { type: { const: 'function' }, function: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
        // Forms of the API no engine here takes: refused by name in code (`tool_choice.type`), not as "matches no form".
        { type: 'object', required: ['type'], properties: { type: { enum: ['allowed_tools', 'custom'] } } },
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
type UserContent = string | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } } | { type: 'input_audio' | 'file' })[];
type WireMessage =
  | { role: 'system' | 'developer'; content: Text; name?: string | null }
  | { role: 'user'; content: UserContent; name?: string | null }
  | {
      role: 'assistant';
      content?: string | ({ type: 'text'; text: string } | { type: 'refusal'; refusal: string })[] | null;
      name?: string | null;
      refusal?: string | null;
      tool_calls?: { id: string; function: { name: string; arguments: string } }[] | null;
    }
  | { role: 'tool'; content: Text; tool_call_id: string; name?: string | null };

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
  tool_choice?: 'none' | 'auto' | 'required' | { type?: 'function'; function: { name: string } };
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
  top_logprobs: (value) => value !== 0,
  modalities: (value) => !(Array.isArray(value) && value.every((m) => m === 'text')),
  store: (value) => value === true,
  metadata: (value) => !(typeof value === 'object' && value !== null && Object.keys(value).length === 0),
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

/** Text content -> content (and parts when there are several). */
function textOf(content: Text | null | undefined): { content: string; parts?: ChatContentPart[] } {
  if (typeof content === 'string') return { content };
  return contentFromParts((content ?? []).map((part) => ({ type: 'text', text: part.text })));
}

/**
 * OpenAI messages -> engine ChatMessages, one per message and in order: developer is a system turn marked
 * `developer`; names, refusals, tool calls, tool results and content parts (in order) are kept.
 */
export function toChatMessages(messages: readonly WireMessage[]): ChatMessage[] {
  return messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', ...textOf(message.content), ...(message.name != null ? { name: message.name } : {}), ...(message.role === 'developer' ? { developer: true } : {}) };
      case 'user': {
        const name = message.name != null ? { name: message.name } : {};
        if (typeof message.content === 'string') return { role: 'user', content: message.content, ...name };
        const parts = message.content.map((part): ChatContentPart => {
          if (part.type === 'text') return { type: 'text', text: part.text };
          if (part.type === 'image_url') return { type: 'image', url: part.image_url.url, ...(part.image_url.detail ? { detail: part.image_url.detail } : {}) };
          throw new Error(`unchecked content part '${part.type}'`);
        });
        return { role: 'user', ...contentFromParts(parts), ...name };
      }
      case 'assistant': {
        const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
        const content = typeof message.content === 'string' || message.content == null ? message.content : undefined;
        const parts = Array.isArray(message.content) ? message.content : [];
        const refusals = [...(message.refusal != null ? [message.refusal] : []), ...parts.flatMap((part) => (part.type === 'refusal' ? [part.refusal] : []))];
        const text = content !== undefined ? textOf(content) : textOf(parts.flatMap((part) => (part.type === 'text' ? [part] : [])));
        return {
          role: 'assistant',
          ...text,
          ...(message.name != null ? { name: message.name } : {}),
          ...(refusals.length > 0 ? { refusal: refusals.join(TEXT_PART_SEPARATOR) } : {}),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        };
      }
      default:
        // The tool turn's `name` is the called function's name (v1 engines that need it read it; `tool_call_id` implies it).
        return { role: 'tool', ...textOf(message.content), toolCallId: message.tool_call_id, ...(message.name != null ? { name: message.name } : {}) };
    }
  });
}

const MESSAGE_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  system: new Set(['role', 'content', 'name']),
  developer: new Set(['role', 'content', 'name']),
  user: new Set(['role', 'content', 'name']),
  // `annotations` (url citations of an earlier answer) are output metadata: accepted and ignored, as OpenAI does.
  assistant: new Set(['role', 'content', 'name', 'refusal', 'tool_calls', 'annotations']),
  tool: new Set(['role', 'content', 'tool_call_id', 'name']),
};
const NOTHING_KNOWN: Readonly<Record<string, ChangesAnswer>> = {};
/** Message fields of the API that no engine here takes (`audio` answers a previous audio reply). */
/** `reasoning_content` is vLLM's/DeepSeek's (not OpenAI's): some chat templates render it, so it is never ignored. */
const ASSISTANT_KNOWN: Readonly<Record<string, ChangesAnswer>> = { audio: ALWAYS, function_call: ALWAYS, reasoning_content: (value) => value !== '' };
const PART_KEYS: Readonly<Record<string, ReadonlySet<string>>> = { text: new Set(['type', 'text']), image_url: new Set(['type', 'image_url']), refusal: new Set(['type', 'refusal']) };
const PART_KNOWN: Readonly<Record<string, ChangesAnswer>> = { prompt_cache_breakpoint: ALWAYS };
const IMAGE_URL_KEYS: ReadonlySet<string> = new Set(['url', 'detail']);
const TOOL_CALL_KEYS: ReadonlySet<string> = new Set(['id', 'type', 'function', 'index']);
const CALLED_FUNCTION_KEYS: ReadonlySet<string> = new Set(['name', 'arguments']);
const TOOL_KEYS: ReadonlySet<string> = new Set(['type', 'function']);
const FUNCTION_KEYS: ReadonlySet<string> = new Set(['name', 'description', 'parameters', 'strict']);
const STREAM_OPTIONS_KEYS: ReadonlySet<string> = new Set(['include_usage']);
const STREAM_OPTIONS_KNOWN: Readonly<Record<string, ChangesAnswer>> = { include_obfuscation: (value) => value === true };
const NAME_KEYS: ReadonlySet<string> = new Set(['name']);
const TOOL_CHOICE_KEYS: ReadonlySet<string> = new Set(['type', 'function']);
const FORMAT_KEYS: ReadonlySet<string> = new Set(['type', 'json_schema']);
const JSON_SCHEMA_KEYS: ReadonlySet<string> = new Set(['name', 'description', 'schema', 'strict']);

/** `tool_choice` forms of the API that no engine here takes (a droppable choice, unlike a custom tool, which is content). */
const UNSUPPORTED_TOOL_CHOICES: ReadonlySet<unknown> = new Set(['allowed_tools', 'custom']);

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every nested object of the body, key by key (the schema checks types; additionalProperties there could only say
 * "matches no form"): a field not in the API is INVALID_PARAMS naming its pointer, a known one the gateway cannot
 * honour is UNSUPPORTED (dropped on opt-in).
 */
export function checkChatFields(body: ChatBody, check: NestedFieldCheck): void {
  body.messages.forEach((message, i) => {
    const where = `messages[${i}]`;
    if ((message.role as string) === 'function') throw unsupportedField(`${where}.role`, check.model, false);
    const loose = message as unknown as Loose;
    checkKeys(loose, where, `a '${message.role}' message`, MESSAGE_KEYS[message.role]!, message.role === 'assistant' ? ASSISTANT_KNOWN : NOTHING_KNOWN, check);
    // As OpenAI: an assistant turn's content is required unless it has tool calls (or a refusal); none is no turn.
    if (message.role === 'assistant' && message.content == null && !message.tool_calls?.length && message.refusal == null) {
      throw httpError('INVALID_PARAMS', `body/${where}.content is required in an assistant message without tool_calls or refusal`, { details: { field: `${where}.content`, pointer: `/messages/${i}/content` } });
    }
    if (Array.isArray(loose.content)) {
      (loose.content as Loose[]).forEach((part, j) => {
        const at = `${where}.content[${j}]`;
        const keys = PART_KEYS[String(part.type)];
        if (!keys) throw unsupportedField(`${at}.type`, check.model, false);
        checkKeys(part, at, `a '${String(part.type)}' content part`, keys, PART_KNOWN, check);
        if (isObject(part.image_url)) checkKeys(part.image_url, `${at}.image_url`, 'image_url', IMAGE_URL_KEYS, NOTHING_KNOWN, check);
      });
    }
    if (Array.isArray(loose.tool_calls)) {
      (loose.tool_calls as Loose[]).forEach((call, j) => {
        checkKeys(call, `${where}.tool_calls[${j}]`, 'a tool call', TOOL_CALL_KEYS, NOTHING_KNOWN, check);
        if (isObject(call.function)) checkKeys(call.function, `${where}.tool_calls[${j}].function`, 'a tool call function', CALLED_FUNCTION_KEYS, NOTHING_KNOWN, check);
      });
    }
  });
  (body.tools ?? []).forEach((tool, i) => {
    if ((tool as { type?: string }).type === 'custom') throw unsupportedField(`tools[${i}].type`, check.model, false);
    checkKeys(tool as unknown as Loose, `tools[${i}]`, 'a tool', TOOL_KEYS, NOTHING_KNOWN, check);
    checkKeys(tool.function as unknown as Loose, `tools[${i}].function`, 'a function tool', FUNCTION_KEYS, NOTHING_KNOWN, check);
  });
  if (isObject(body.stream_options)) checkKeys(body.stream_options, 'stream_options', 'stream_options', STREAM_OPTIONS_KEYS, STREAM_OPTIONS_KNOWN, check);
  if (isObject(body.tool_choice) && UNSUPPORTED_TOOL_CHOICES.has(body.tool_choice.type)) {
    if (!check.dropParams) throw unsupportedField('tool_choice.type', check.model);
    check.dropped.push('tool_choice');
    delete body.tool_choice;
  }
  if (isObject(body.tool_choice)) {
    checkKeys(body.tool_choice, 'tool_choice', 'tool_choice', TOOL_CHOICE_KEYS, NOTHING_KNOWN, check);
    if (isObject(body.tool_choice.function)) checkKeys(body.tool_choice.function, 'tool_choice.function', 'tool_choice.function', NAME_KEYS, NOTHING_KNOWN, check);
  }
  const format = body.response_format as unknown;
  if (isObject(format)) {
    checkKeys(format, 'response_format', 'response_format', FORMAT_KEYS, NOTHING_KNOWN, check);
    if (isObject(format.json_schema)) checkKeys(format.json_schema, 'response_format.json_schema', 'response_format.json_schema', JSON_SCHEMA_KEYS, NOTHING_KNOWN, check);
  }
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
  checkChatFields(body, { model: body.model, dropParams, dropped });
  // As OpenAI: the two names of one limit cannot both be set (which one wins would be a guess).
  if (body.max_tokens != null && body.max_completion_tokens != null) {
    throw httpError('INVALID_PARAMS', "body/max_tokens and body/max_completion_tokens cannot both be set (send max_completion_tokens only)", { details: { field: 'max_tokens', pointer: '/max_tokens' } });
  }
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  const tools = toolsOf(body.tools);
  const toolChoice = toolChoiceOf(body.tool_choice);
  checkToolNamesUnique(tools, (index) => `tools[${index}].function.name`);
  checkToolChoiceTools(toolChoice, tools, { choice: 'tool_choice', name: 'tool_choice.function.name' });
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
