import type { EngineCapabilities } from '@switchyard/spec';

type TextInputs = Pick<EngineCapabilities, 'textInputs'> | undefined;

const SHAPES = ['prompt', 'messages'];

/** True when the engine reads chat `messages` (every engine that declares no `textInputs` reads both shapes). */
export function readsMessages(capabilities: TextInputs): boolean {
  return capabilities?.textInputs === undefined || capabilities.textInputs.includes('messages');
}

/** True when the engine reads a `prompt` string. */
export function readsPrompt(capabilities: TextInputs): boolean {
  return capabilities?.textInputs === undefined || capabilities.textInputs.includes('prompt');
}

/** What is wrong with a declared `capabilities.textInputs` (absent is fine), for the engine's registration error. */
export function textInputsProblem(textInputs: unknown): string | undefined {
  if (textInputs === undefined) return undefined;
  if (!Array.isArray(textInputs) || textInputs.length === 0 || !textInputs.every((shape) => SHAPES.includes(shape as string))) {
    return `capabilities.textInputs must be a non-empty array of 'prompt' and/or 'messages' (found ${JSON.stringify(textInputs)?.slice(0, 80)})`;
  }
  return undefined;
}
