import type { ChatMessage, ChatMessageField, EngineCapabilities, EngineInput, GenerationParameters, ResponseFormat } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { readsMessages, readsPrompt } from './text-inputs.js';

/** What a v1 engine that does not list `capabilities.parameters` is taken to honour (the original v1 knobs). */
export const BASE_GENERATION_PARAMETERS: readonly (keyof GenerationParameters)[] = ['maxTokens', 'temperature', 'topP', 'topK', 'stop', 'seed', 'repetitionPenalty'];

export interface AdmittedParameters {
  /** What the engine receives (the request's parameters minus dropped ones and a gateway-enforced format). */
  readonly parameters: GenerationParameters | undefined;
  /** Parameters left out because the caller opted into dropping (`drop_params`). */
  readonly dropped: readonly string[];
  /** A JSON response format the engine cannot honour itself: the orchestrator validates the output instead. */
  readonly enforceFormat?: Extract<ResponseFormat, { type: 'json' }>;
  /** The input the engine receives when turn fields were dropped (`messages[i].name`, ...) or its shape changed (`textInputs`); absent = the request's. */
  readonly input?: EngineInput;
}

const MESSAGE_FIELDS: readonly ChatMessageField[] = ['name', 'refusal', 'isError'];

function unsupported(field: string, engine: string, model: string, why: string): SwitchyardError {
  return new SwitchyardError({
    code: 'UNSUPPORTED',
    message: `Model '${model}' on engine '${engine}' does not support ${why}`,
    details: { field, engine, model },
  });
}

/** An assistant turn with no text, parts or tool calls: what a refusal-only turn is once its refusal is dropped. */
function isEmptyAssistantTurn(message: Readonly<Record<string, unknown>>): boolean {
  const parts = message.parts as readonly { type: string; text?: string }[] | undefined;
  return message.content === '' && (parts ?? []).every((part) => part.type === 'text' && part.text === '') && ((message.toolCalls as readonly unknown[] | undefined)?.length ?? 0) === 0;
}

/**
 * Tool turns and images in the input need `tools` / `vision`; they are content, so never dropped. Turn fields the
 * engine does not list in `messageFields` are refused by name, or left out of the turn when dropping is on. A
 * refusal-only assistant turn whose refusal is dropped is left out whole: an empty assistant turn is no answer
 * (Anthropic's Messages API rejects one), and the conversation reads as if the model had said nothing.
 */
function checkInput(input: EngineInput, capabilities: EngineCapabilities, honoured: readonly string[], engine: string, model: string, dropUnsupported: boolean, dropped: string[]): EngineInput | undefined {
  if (input.kind !== 'text' || !input.messages) return undefined;
  const fields = capabilities.messageFields ?? [];
  let kept: ChatMessage[] | undefined;
  let emptied: Set<number> | undefined;
  for (const [i, message] of input.messages.entries()) {
    const toolTurn = message.role === 'tool' || (message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0);
    if (toolTurn && !honoured.includes('tools')) throw unsupported(`messages[${i}]`, engine, model, "tool calls or 'tool' messages (it has no tool support)");
    if ((message.role === 'user' || message.role === 'system') && (message.images?.length ?? 0) > 0 && !capabilities.features.includes('vision')) {
      throw unsupported(`messages[${i}].content`, engine, model, 'image content (it does not declare vision)');
    }
    for (const field of MESSAGE_FIELDS) {
      // A tool turn's `name` is the v1 function name every tool engine reads, not the participant name.
      if (fields.includes(field) || (field === 'name' && message.role === 'tool')) continue;
      const value = (message as Readonly<Record<string, unknown>>)[field];
      if (value === undefined || value === false) continue;
      const pointer = `messages[${i}].${field}`;
      if (!dropUnsupported) throw unsupported(pointer, engine, model, `the message field '${pointer}'`);
      dropped.push(pointer);
      kept ??= [...input.messages];
      const { [field]: _left, ...rest } = kept[i] as Readonly<Record<string, unknown>>;
      kept[i] = rest as unknown as ChatMessage;
      if (field === 'refusal' && message.role === 'assistant' && isEmptyAssistantTurn(rest)) (emptied ??= new Set()).add(i);
    }
  }
  if (kept && emptied) kept = kept.filter((_, i) => !emptied!.has(i));
  return kept ? { ...input, messages: kept } : undefined;
}

/**
 * A text input in the shape the engine declares it reads (`textInputs`): chat messages are refused by a prompt-only
 * engine (they are content: never dropped), a prompt becomes the user turn for a messages-only one. Absent = as is.
 */
function toDeclaredShape(input: EngineInput, capabilities: EngineCapabilities, engine: string, model: string): EngineInput | undefined {
  if (input.kind !== 'text' || capabilities.textInputs === undefined) return undefined;
  if (input.messages !== undefined && !readsMessages(capabilities)) throw unsupported('messages', engine, model, "chat 'messages' (it reads a prompt only)");
  if (input.messages !== undefined || input.prompt === undefined || readsPrompt(capabilities)) return undefined;
  if (input.rawPrompt === true) throw unsupported('prompt', engine, model, 'a raw prompt to continue as text (it reads chat messages only)');
  const { prompt, ...rest } = input;
  return { ...rest, messages: [{ role: 'user', content: prompt }] };
}

/**
 * Checks a request against what one target's engine declares: every parameter is either passed on, dropped
 * because the caller asked for that, or refused with UNSUPPORTED naming it. Nothing is silently ignored.
 */
export function admitParameters(
  capabilities: EngineCapabilities,
  engine: string,
  model: string,
  input: EngineInput,
  parameters: GenerationParameters | undefined,
  dropUnsupported: boolean,
): AdmittedParameters {
  const honoured = capabilities.parameters ?? BASE_GENERATION_PARAMETERS;
  const dropped: string[] = [];
  const shaped = toDeclaredShape(input, capabilities, engine, model);
  const admittedInput = checkInput(shaped ?? input, capabilities, honoured, engine, model, dropUnsupported, dropped) ?? shaped;
  const withInput = admittedInput ? { input: admittedInput } : {};
  if (!parameters) return { parameters, dropped, ...withInput };
  const kept: Record<string, unknown> = {};
  let enforceFormat: AdmittedParameters['enforceFormat'];
  for (const [key, value] of Object.entries(parameters) as [keyof GenerationParameters, unknown][]) {
    if (value === undefined || honoured.includes(key)) {
      if (value !== undefined) kept[key] = value;
      continue;
    }
    const format = key === 'responseFormat' ? (value as ResponseFormat) : undefined;
    if (format?.type === 'text') continue;
    if (format?.type === 'json') {
      enforceFormat = format;
      continue;
    }
    if (dropUnsupported) dropped.push(key);
    else throw unsupported(key, engine, model, `the parameter '${key}'`);
  }
  const result = Object.keys(kept).length > 0 ? (kept as GenerationParameters) : undefined;
  return { parameters: result, dropped, ...(enforceFormat ? { enforceFormat } : {}), ...withInput };
}
