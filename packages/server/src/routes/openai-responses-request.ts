import type { ChatContentPart, ChatImagePart, ChatMessage, GenerationParameters, ToolCall, ToolChoice, ToolDefinition } from '@switchyard/core';
import { httpError } from '../http-error.js';
import { ALWAYS, checkKeys, checkToolChoiceTools, checkToolNamesUnique, contentFromParts, TEXT_PART_SEPARATOR, type NestedFieldCheck } from './nested-fields.js';
import { OPENAI_FIELD_FOR } from './openai-chat-request.js';
import { refuseOrDrop, type ChangesAnswer } from './unsupported-fields.js';

/**
 * Every field of OpenAI's `POST /v1/responses` request (ResponseCreateParams). Each is honoured (mapped below),
 * accepted only with a value that changes nothing (`background: false`, `truncation: 'disabled'`, empty
 * `include`), or refused by UNSUPPORTED_FIELDS (dropped with drop_params); a field not listed is a 400 naming it.
 * Input items and tools are checked one by one in code, so the error names the item (`input[2].type`).
 */
export const responsesRequestSchema = {
  type: 'object',
  required: ['model'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    input: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
    instructions: { type: ['string', 'null'] },
    previous_response_id: { type: ['string', 'null'], maxLength: 128 },
    store: { type: ['boolean', 'null'] },
    stream: { type: ['boolean', 'null'] },
    stream_options: { type: ['object', 'null'], additionalProperties: false, properties: { include_obfuscation: { type: 'boolean' } } },
    max_output_tokens: { type: ['integer', 'null'], minimum: 1 },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    top_p: { type: ['number', 'null'], minimum: 0, maximum: 1 },
    user: { type: 'string' },
    metadata: { type: ['object', 'null'], maxProperties: 16, additionalProperties: { type: 'string', maxLength: 512 } },
    tools: { type: 'array', items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } } },
    tool_choice: {
      anyOf: [{ enum: ['none', 'auto', 'required'] }, { type: 'object', required: ['type'], properties: { type: { type: 'string' }, name: { type: 'string' } } }],
    },
    parallel_tool_calls: { type: ['boolean', 'null'] },
    text: {
      type: 'object',
      additionalProperties: false,
      properties: {
        format: {
          anyOf: [
            { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { enum: ['text', 'json_object'] } } },
            {
              type: 'object',
              required: ['type', 'name', 'schema'],
              additionalProperties: false,
              properties: { type: { const: 'json_schema' }, name: { type: 'string', minLength: 1, maxLength: 64 }, schema: { type: 'object' }, description: { type: 'string' }, strict: { type: ['boolean', 'null'] } },
            },
          ],
        },
        verbosity: { enum: ['low', 'medium', 'high', null] },
      },
    },
    reasoning: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: { effort: { enum: ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max', null] }, summary: { enum: ['auto', 'concise', 'detailed', null] }, generate_summary: { enum: ['auto', 'concise', 'detailed', null] } },
    },
    service_tier: { type: ['string', 'null'] },
    truncation: { enum: ['auto', 'disabled', null] },
    background: { type: ['boolean', 'null'] },
    include: { type: ['array', 'null'], items: { type: 'string' } },
    conversation: {},
    prompt: {},
    prompt_cache_key: { type: ['string', 'null'] },
    prompt_cache_retention: { type: ['string', 'null'] },
    prompt_cache_options: { type: 'object' },
    safety_identifier: { type: ['string', 'null'] },
    top_logprobs: { type: ['integer', 'null'] },
    max_tool_calls: { type: ['integer', 'null'] },
    context_management: {},
    moderation: {},
    drop_params: { type: 'boolean' },
  },
} as const;

type ContentPart = { type: string; text?: string; image_url?: string | null; file_id?: string | null; detail?: string; refusal?: string; annotations?: unknown; logprobs?: unknown };
export type InputItem = {
  type?: string;
  role?: string;
  content?: string | ContentPart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string | ContentPart[];
  id?: string;
  [key: string]: unknown;
};

/** An `item_reference`'s id -> the stored output item it names; `where` is the reference's field (`input[2].id`). */
export type ItemResolver = (id: string, where: string) => InputItem;

export interface ResponsesBody {
  model: string;
  input?: string | InputItem[];
  instructions?: string | null;
  previous_response_id?: string | null;
  store?: boolean | null;
  stream?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  user?: string;
  metadata?: Record<string, string> | null;
  tools?: { type: string; name?: string; description?: string | null; parameters?: Record<string, unknown> | null; strict?: boolean | null }[];
  tool_choice?: 'none' | 'auto' | 'required' | { type: string; name?: string };
  parallel_tool_calls?: boolean | null;
  text?: { format?: { type: 'text' | 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null }; verbosity?: string | null };
  reasoning?: { effort?: NonNullable<GenerationParameters['reasoningEffort']> | null; summary?: string | null; generate_summary?: string | null } | null;
  service_tier?: string | null;
  drop_params?: boolean;
  [field: string]: unknown;
}

/** Top-level fields no engine behind this gateway implements through this face. */
const UNSUPPORTED_FIELDS: Readonly<Record<string, ChangesAnswer>> = {
  background: (value) => value === true,
  truncation: (value) => value === 'auto',
  include: (value) => Array.isArray(value) && value.length > 0,
  conversation: () => true,
  prompt: () => true,
  prompt_cache_key: () => true,
  prompt_cache_retention: () => true,
  prompt_cache_options: () => true,
  safety_identifier: () => true,
  top_logprobs: (value) => value !== 0,
  max_tool_calls: () => true,
  context_management: () => true,
  moderation: () => true,
};

/** GenerationParameters key -> the Responses field it came from (engine-level errors and dropped-params header). */
export const RESPONSES_FIELD_FOR: Readonly<Record<string, string>> = {
  ...OPENAI_FIELD_FOR,
  maxTokens: 'max_output_tokens',
  responseFormat: 'text.format',
  reasoningEffort: 'reasoning.effort',
  // Core's structured-output errors name the chat field (an invalid schema, OUTPUT_INVALID).
  response_format: 'text.format',
};

const invalid = (field: string, message: string) => httpError('INVALID_PARAMS', `body/${field} ${message}`, { details: { field } });
const unsupported = (field: string, what: string, model: string) =>
  httpError('UNSUPPORTED', `${field}${what ? ` ${what}` : ''} is not supported for model '${model}' by this gateway`, { details: { field } });

const PART_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  input_text: new Set(['type', 'text']),
  // An echoed answer's `annotations` (url citations, ...) and `logprobs` describe text already in `text`: output-only, they cannot change the answer.
  output_text: new Set(['type', 'text', 'annotations', 'logprobs']),
  text: new Set(['type', 'text']),
  refusal: new Set(['type', 'refusal']),
  input_image: new Set(['type', 'image_url', 'file_id', 'detail']),
};
const PART_KNOWN: Readonly<Record<string, ChangesAnswer>> = { prompt_cache_breakpoint: ALWAYS };
/** Item fields: `id`/`status` identify an echoed output item and change nothing; `phase`, `caller`, `namespace` would. */
const ITEM_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  message: new Set(['type', 'role', 'content', 'id', 'status']),
  function_call: new Set(['type', 'call_id', 'name', 'arguments', 'id', 'status']),
  function_call_output: new Set(['type', 'call_id', 'output', 'id', 'status']),
  item_reference: new Set(['type', 'id']),
};
const ITEM_KNOWN: Readonly<Record<string, ChangesAnswer>> = { phase: ALWAYS, caller: ALWAYS, namespace: ALWAYS };
const IMAGE_DETAILS: ReadonlySet<unknown> = new Set(['auto', 'low', 'high', null, undefined]);

/**
 * A content list in order: text parts, images in user messages, refusal parts (collected into `refusals`) in
 * assistant ones; any other part there is refused by name.
 */
function partsOf(content: string | ContentPart[] | undefined, field: string, check: NestedFieldCheck, role: 'user' | 'assistant' | 'text', refusals: string[] = []): { content: string; images?: ChatImagePart[]; parts?: ChatContentPart[] } {
  // Required, as on OpenAI (`Missing required parameter: 'input[0].content'`): a missing one is not an empty turn.
  if (content === undefined || content === null) throw invalid(field, 'is required (a string or an array of content parts)');
  if (typeof content === 'string') return { content };
  if (!Array.isArray(content)) throw invalid(field, 'must be a string or an array of content parts');
  const model = check.model;
  const parts: ChatContentPart[] = [];
  content.forEach((part, index) => {
    const where = `${field}[${index}]`;
    if (typeof part !== 'object' || part === null) throw invalid(where, 'must be a content part object');
    const keys = PART_KEYS[String(part.type)];
    if (!keys) throw unsupported(`${where}.type`, `'${String(part.type)}'`, model);
    checkKeys(part as unknown as Record<string, unknown>, where, `an '${String(part.type)}' content part`, keys, PART_KNOWN, check);
    if (part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') {
      if (typeof part.text !== 'string') throw invalid(`${where}.text`, 'must be a string');
      for (const key of ['annotations', 'logprobs'] as const) if (part[key] != null && !Array.isArray(part[key])) throw invalid(`${where}.${key}`, 'must be an array');
      parts.push({ type: 'text', text: part.text });
    } else if (part.type === 'refusal' && role === 'assistant') {
      if (typeof part.refusal !== 'string') throw invalid(`${where}.refusal`, 'must be a string');
      refusals.push(part.refusal);
    } else if (part.type === 'input_image' && role === 'user') {
      if (typeof part.image_url !== 'string' || part.image_url === '') throw unsupported(`${where}.file_id`, '(images by file id; send image_url)', model);
      if (!IMAGE_DETAILS.has(part.detail)) throw unsupported(`${where}.detail`, `'${String(part.detail)}'`, model);
      const detail = part.detail as 'auto' | 'low' | 'high' | undefined | null;
      parts.push({ type: 'image', url: part.image_url, ...(detail ? { detail } : {}) });
    } else throw unsupported(`${where}.type`, `'${String(part.type)}' in this message`, model);
  });
  return contentFromParts(parts);
}

/** Engine turns plus, for each, the input item it came from (`input[2]`). */
export interface ResponsesTurns {
  readonly messages: ChatMessage[];
  readonly sources: string[];
}

/**
 * Responses input items -> engine ChatMessages, in order: messages by role (developer is a system turn marked
 * `developer`, content parts kept in order, refusal parts the assistant's `refusal`), `function_call` items become
 * the assistant's tool calls (consecutive ones join one assistant turn), `function_call_output` items tool turns;
 * an `item_reference` is the stored output item `resolve` finds for it (refused when there is no resolver).
 */
export function toMessagesFromItems(input: string | InputItem[] | undefined, check: NestedFieldCheck, resolve?: ItemResolver): ResponsesTurns {
  if (input === undefined) return { messages: [], sources: [] };
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }], sources: ['input'] };
  const out: ChatMessage[] = [];
  const sources: string[] = [];
  const model = check.model;
  input.forEach((given, index) => {
    const where = `input[${index}]`;
    const item = given.type === 'item_reference' && resolve ? referenced(given, where, check, resolve) : given;
    const type = item.type ?? 'message';
    const keys = ITEM_KEYS[type];
    if (keys) checkKeys(item, where, `a '${type}' item`, keys, ITEM_KNOWN, check);
    const before = out.length;
    if (type === 'message') {
      const role = item.role;
      if (role === 'user') out.push({ role: 'user', ...partsOf(item.content, `${where}.content`, check, 'user') });
      else if (role === 'system' || role === 'developer') {
        const text = partsOf(item.content, `${where}.content`, check, 'text');
        out.push({ role: 'system', content: text.content, ...(text.parts ? { parts: text.parts } : {}), ...(role === 'developer' ? { developer: true } : {}) });
      } else if (role === 'assistant') {
        const refusals: string[] = [];
        const text = partsOf(item.content, `${where}.content`, check, 'assistant', refusals);
        out.push({ role: 'assistant', content: text.content, ...(text.parts ? { parts: text.parts } : {}), ...(refusals.length > 0 ? { refusal: refusals.join(TEXT_PART_SEPARATOR) } : {}) });
      } else throw invalid(`${where}.role`, "must be one of 'user', 'assistant', 'system', 'developer'");
    } else if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || item.call_id === '') throw invalid(`${where}.call_id`, 'must be a non-empty string');
      if (typeof item.name !== 'string' || item.name === '') throw invalid(`${where}.name`, 'must be a non-empty string');
      if (typeof item.arguments !== 'string') throw invalid(`${where}.arguments`, 'must be a string (JSON text)');
      const call: ToolCall = { id: item.call_id, name: item.name, arguments: item.arguments };
      const last = out[out.length - 1];
      if (last?.role === 'assistant') out[out.length - 1] = { ...last, toolCalls: [...(last.toolCalls ?? []), call] };
      else out.push({ role: 'assistant', content: '', toolCalls: [call] });
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || item.call_id === '') throw invalid(`${where}.call_id`, 'must be a non-empty string');
      const output = partsOf(item.output, `${where}.output`, check, 'text');
      out.push({ role: 'tool', toolCallId: item.call_id, content: output.content, ...(output.parts ? { parts: output.parts } : {}) });
    } else throw unsupported(`${where}.type`, `'${type}'`, model);
    if (out.length > before) sources.push(where);
  });
  return { messages: out, sources };
}

/** The stored output item an `item_reference` names (a message or function call, checked like any input item). */
function referenced(reference: InputItem, where: string, check: NestedFieldCheck, resolve: ItemResolver): InputItem {
  checkKeys(reference, where, "an 'item_reference' item", ITEM_KEYS.item_reference!, {}, check);
  if (typeof reference.id !== 'string' || reference.id === '') throw invalid(`${where}.id`, 'must be a non-empty string');
  return resolve(reference.id, `${where}.id`);
}

/** An engine-side field (`messages[3].content`) -> the body field it came from; `base` turns (instructions, stored ones) come first. */
export function responsesFieldOf(sources: readonly string[], field: string): string | undefined {
  const match = /^messages\[(\d+)\](?:\.(\w+))?$/.exec(field);
  const source = match ? sources[Number(match[1])] : undefined;
  if (source === undefined) return undefined;
  const rest = match![2];
  // A string `input` is the turn's content itself.
  if (rest === undefined || (source === 'input' && rest === 'content')) return source;
  return `${source}.${rest === 'refusal' ? 'content' : rest}`;
}

/** The fields of a function tool; any other (a newer API's `defer_loading`, ...) is refused by name, not ignored. */
const FUNCTION_TOOL_KEYS = new Set(['type', 'name', 'description', 'parameters', 'strict']);

function toolsOf(tools: ResponsesBody['tools'], model: string): ToolDefinition[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((tool, index) => {
    if (tool.type !== 'function') throw unsupported(`tools[${index}].type`, `'${tool.type}' (only function tools)`, model);
    if (typeof tool.name !== 'string' || tool.name === '') throw invalid(`tools[${index}].name`, 'must be a non-empty string');
    const extra = Object.keys(tool).find((key) => !FUNCTION_TOOL_KEYS.has(key));
    if (extra !== undefined) throw unsupported(`tools[${index}].${extra}`, '', model);
    return {
      name: tool.name,
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    };
  });
}

function toolChoiceOf(choice: ResponsesBody['tool_choice'], model: string): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return choice;
  if (choice.type !== 'function') throw unsupported('tool_choice.type', `'${choice.type}' (only 'function' or none/auto/required)`, model);
  if (!choice.name) throw invalid('tool_choice.name', "must name the function when type is 'function'");
  return { type: 'tool', name: choice.name };
}

function formatOf(text: ResponsesBody['text']): GenerationParameters['responseFormat'] {
  const format = text?.format;
  if (!format) return undefined;
  if (format.type !== 'json_schema') return format.type === 'text' ? { type: 'text' } : { type: 'json' };
  return {
    type: 'json',
    name: format.name,
    schema: format.schema,
    ...(format.description !== undefined ? { description: format.description } : {}),
    ...(format.strict != null ? { strict: format.strict } : {}),
  };
}

export interface ResponsesCall {
  /** This request's own input turns (without instructions; the stored context is prepended by the route). */
  readonly input: ChatMessage[];
  /** The input item each of `input` came from (`input[2]`). */
  readonly sources: string[];
  readonly parameters: GenerationParameters;
  readonly dropped: string[];
  readonly dropParams: boolean;
}

/** Validated body -> input turns and engine parameters; a field the gateway cannot honour is a 400 naming it. */
export function toResponsesCall(body: ResponsesBody, dropParamsByDefault: boolean, resolve?: ItemResolver): ResponsesCall {
  const dropParams = body.drop_params ?? dropParamsByDefault;
  const dropped = refuseOrDrop(body, UNSUPPORTED_FIELDS, body.model, dropParams);
  const nested: [string, boolean][] = [
    ['stream_options.include_obfuscation', (body.stream_options as { include_obfuscation?: boolean } | null | undefined)?.include_obfuscation === true],
    ['text.verbosity', body.text?.verbosity != null],
    ['reasoning.summary', body.reasoning?.summary != null],
    ['reasoning.generate_summary', body.reasoning?.generate_summary != null],
  ];
  for (const [field, set] of nested) {
    if (!set) continue;
    if (!dropParams) throw httpError('UNSUPPORTED', `'${field}' is not supported for model '${body.model}' by this gateway (send drop_params: true to drop it)`, { details: { field } });
    dropped.push(field);
  }
  const tools = toolsOf(body.tools, body.model);
  const toolChoice = toolChoiceOf(body.tool_choice, body.model);
  checkToolNamesUnique(tools, (index) => `tools[${index}].name`);
  checkToolChoiceTools(toolChoice, tools, { choice: 'tool_choice', name: 'tool_choice.name' });
  const responseFormat = formatOf(body.text);
  const parameters: GenerationParameters = {
    ...(body.max_output_tokens != null ? { maxTokens: body.max_output_tokens } : {}),
    ...(body.temperature != null ? { temperature: body.temperature } : {}),
    ...(body.top_p != null ? { topP: body.top_p } : {}),
    ...(body.user !== undefined ? { user: body.user } : {}),
    ...(tools ? { tools } : {}),
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
    ...(responseFormat ? { responseFormat } : {}),
    ...(body.reasoning?.effort != null ? { reasoningEffort: body.reasoning.effort } : {}),
    ...(body.service_tier != null ? { serviceTier: body.service_tier } : {}),
  };
  const turns = toMessagesFromItems(body.input, { model: body.model, dropParams, dropped }, resolve);
  return { input: turns.messages, sources: turns.sources, parameters, dropped, dropParams };
}
