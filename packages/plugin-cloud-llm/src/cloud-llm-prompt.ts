import { InvalidInputError } from '@switchyard/spec';
import type { ChatMessage, EngineInput } from '@switchyard/spec';

export interface ChatPrompt {
  readonly system?: string;
  /** user/assistant/tool turns, system messages folded into `system`. */
  readonly messages: readonly ChatMessage[];
}

/** Turns a text input (prompt and/or messages, optional system) into one system prompt plus turns. */
export function chatPromptFromInput(input: EngineInput, engineId: string): ChatPrompt {
  if (input.kind !== 'text') {
    throw new InvalidInputError({ message: `${engineId}: chat needs input kind 'text', found '${input.kind}'`, field: 'input.kind', expected: 'text', found: input.kind });
  }
  const systems: string[] = input.system ? [input.system] : [];
  const messages: ChatMessage[] = [];
  for (const [i, message] of (input.messages ?? []).entries()) {
    if (message.role !== 'system' && message.role !== 'user' && message.role !== 'assistant' && message.role !== 'tool') {
      throw new InvalidInputError({ message: `${engineId}: input.messages[${i}].role must be system, user, assistant or tool`, field: `input.messages[${i}].role`, expected: 'system|user|assistant|tool', found: String((message as { role: unknown }).role) });
    }
    if (message.role === 'system') systems.push(message.content);
    else messages.push(message);
  }
  if (input.prompt !== undefined) messages.push({ role: 'user', content: input.prompt });
  if (messages.length === 0) {
    throw new InvalidInputError({ message: `${engineId}: the input has neither a prompt nor user/assistant messages`, field: 'input.prompt', expected: 'a prompt or messages', found: 'nothing' });
  }
  return systems.length > 0 ? { system: systems.join('\n\n'), messages } : { messages };
}

/** The texts of an embedding input. */
export function textsFromInput(input: EngineInput, engineId: string): readonly string[] {
  if (input.kind === 'texts') return input.texts;
  if (input.kind === 'text' && input.prompt !== undefined) return [input.prompt];
  throw new InvalidInputError({ message: `${engineId}: embeddings need input kind 'texts', found '${input.kind}'`, field: 'input.kind', expected: 'texts', found: input.kind });
}
