import type OpenAI from 'openai';
import type { CompletionCreateParamsBase } from 'openai/resources/completions';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineInput, EngineRunResult, EngineStreamPart, FinishReason, GenerationParameters, Price } from '@switchyard/spec';
import { assertStreamNotAborted, droppedStreamError, upstreamRequestOptions } from './cloud-llm-engine.js';
import type { ProviderCall } from './cloud-llm-engine.js';
import { openAiUsageCounts, usageWithCost } from './cloud-llm-usage.js';

/** A text input that asks for a raw continuation (legacy completions), not a chat turn. */
export function rawPromptOf(input: EngineInput): string | undefined {
  return input.kind === 'text' && input.rawPrompt === true && input.prompt !== undefined && !input.messages?.length && input.system === undefined ? input.prompt : undefined;
}

/** What the legacy completions body carries; chat-only parameters (tools, formats, reasoning) are refused by name. */
const COMPLETION_PARAMETERS: ReadonlySet<string> = new Set(['maxTokens', 'temperature', 'topP', 'stop', 'seed', 'presencePenalty', 'frequencyPenalty', 'logitBias', 'user']);
const FINISH: Record<string, FinishReason> = { stop: 'stop', length: 'length', content_filter: 'content-filter' };

function completionBody(call: ProviderCall, prompt: string, engineId: string, defaultMaxTokens: number | undefined): CompletionCreateParamsBase {
  const p: GenerationParameters = call.request.parameters ?? {};
  const other = Object.keys(p).find((name) => p[name as keyof GenerationParameters] !== undefined && !COMPLETION_PARAMETERS.has(name));
  if (other !== undefined) {
    throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${engineId} (model '${call.model}'): '${other}' is not supported for a raw prompt (legacy completions)`, details: { engine: engineId, model: call.model, field: other } });
  }
  const maxTokens = p.maxTokens ?? defaultMaxTokens;
  return {
    model: call.model,
    prompt,
    ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
    ...samplingFields(p),
  };
}

/** The sampling and attribution fields, named the same in OpenAI's chat and legacy completions bodies. */
export interface OpenAiSamplingFields {
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  logit_bias?: Record<string, number>;
  user?: string;
}

/** Maps the parameters both OpenAI bodies share (one place for chat and raw-prompt calls). */
export function samplingFields(p: GenerationParameters): OpenAiSamplingFields {
  return {
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.topP !== undefined ? { top_p: p.topP } : {}),
    ...(p.stop?.length ? { stop: [...p.stop] } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
    ...(p.presencePenalty !== undefined ? { presence_penalty: p.presencePenalty } : {}),
    ...(p.frequencyPenalty !== undefined ? { frequency_penalty: p.frequencyPenalty } : {}),
    ...(p.logitBias !== undefined ? { logit_bias: { ...p.logitBias } } : {}),
    ...(p.user !== undefined ? { user: p.user } : {}),
  };
}

/** Settings of the engine a raw-prompt call needs. */
export interface RawCompletionTarget {
  readonly client: OpenAI;
  readonly engineId: string;
  readonly defaultMaxTokens?: number;
  readonly streamUsage?: boolean;
  readonly price?: Price;
}

/** POST /v1/completions with the prompt as is (an OpenAI-compatible server's, or OpenAI's for instruct models). */
export async function runRawCompletion(target: RawCompletionTarget, call: ProviderCall, prompt: string): Promise<EngineRunResult> {
  const completion = await target.client.completions.create({ ...completionBody(call, prompt, target.engineId, target.defaultMaxTokens), stream: false }, upstreamRequestOptions(call));
  const choice = completion.choices[0];
  return {
    output: { kind: 'text', text: choice?.text ?? '' },
    finishReason: choice?.finish_reason ? (FINISH[choice.finish_reason] ?? 'other') : 'other',
    usage: usageWithCost(openAiUsageCounts(completion.usage), target.price),
  };
}

export async function* streamRawCompletion(target: RawCompletionTarget, call: ProviderCall, prompt: string): AsyncGenerator<EngineStreamPart> {
  const body = completionBody(call, prompt, target.engineId, target.defaultMaxTokens);
  const stream = await target.client.completions.create({ ...body, stream: true, ...(target.streamUsage === false ? {} : { stream_options: { include_usage: true } }) }, upstreamRequestOptions(call));
  yield { type: 'start', modelId: call.request.modelId };
  let finish: FinishReason | undefined;
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    assertStreamNotAborted(call.signal, target.engineId);
    const choice = chunk.choices[0];
    if (choice?.text) yield { type: 'delta', kind: 'text', text: choice.text };
    if (choice?.finish_reason) finish = FINISH[choice.finish_reason] ?? 'other';
    if (chunk.usage) usage = chunk.usage;
  }
  assertStreamNotAborted(call.signal, target.engineId);
  if (finish === undefined) throw droppedStreamError(target.engineId, call.model);
  yield { type: 'finish', finishReason: finish, usage: usageWithCost(openAiUsageCounts(usage), target.price) };
}
