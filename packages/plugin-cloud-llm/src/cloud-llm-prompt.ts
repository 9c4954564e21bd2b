import { InvalidInputError } from '@switchyard/spec';
import type { ChatMessage, EngineInput } from '@switchyard/spec';

/**
 * The turns of a text input in the order the caller sent them: `system` first, then the messages (system turns
 * stay where they are), then `prompt` as the last user turn. A conversation of system turns only is valid here
 * (OpenAI takes one); an engine that needs more says so itself.
 */
export function chatTurnsFromInput(input: EngineInput, engineId: string): readonly ChatMessage[] {
  if (input.kind !== 'text') {
    throw new InvalidInputError({ message: `${engineId}: chat needs input kind 'text', found '${input.kind}'`, field: 'input.kind', expected: 'text', found: input.kind });
  }
  const turns: ChatMessage[] = input.system ? [{ role: 'system', content: input.system }] : [];
  for (const [i, message] of (input.messages ?? []).entries()) {
    if (message.role !== 'system' && message.role !== 'user' && message.role !== 'assistant' && message.role !== 'tool') {
      throw new InvalidInputError({ message: `${engineId}: messages[${i}].role must be system, user, assistant or tool`, field: `messages[${i}].role`, expected: 'system|user|assistant|tool', found: String((message as { role: unknown }).role) });
    }
    turns.push(message);
  }
  if (input.prompt !== undefined) turns.push({ role: 'user', content: input.prompt });
  if (turns.length === 0) {
    throw new InvalidInputError({ message: `${engineId}: the input has no messages (and no prompt)`, field: 'messages', expected: 'at least one message', found: 'none' });
  }
  return turns;
}

/** A turn's text pieces in order: its text parts when it has parts, else its content. */
export function textPiecesOf(message: ChatMessage): readonly string[] {
  return message.parts ? message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])) : [message.content];
}

/** The texts of an embedding input. */
export function textsFromInput(input: EngineInput, engineId: string): readonly string[] {
  if (input.kind === 'texts') return input.texts;
  if (input.kind === 'text' && input.prompt !== undefined) return [input.prompt];
  throw new InvalidInputError({ message: `${engineId}: embeddings need input kind 'texts', found '${input.kind}'`, field: 'input.kind', expected: 'texts', found: input.kind });
}
