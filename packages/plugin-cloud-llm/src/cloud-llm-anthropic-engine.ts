import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages';
import { SwitchyardError } from '@switchyard/spec';
import type { EngineCapabilities, EngineRunResult, EngineStreamPart, FinishReason, PluginLogger } from '@switchyard/spec';
import { CloudLlmEngine, assertStreamNotAborted, droppedStreamError } from './cloud-llm-engine.js';
import type { ProviderCall } from './cloud-llm-engine.js';
import type { CloudLlmProviderOptions } from './cloud-llm-options.js';
import { chatPromptFromInput } from './cloud-llm-prompt.js';
import { usageWithCost } from './cloud-llm-usage.js';

const FINISH: Record<string, FinishReason> = { end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', refusal: 'content-filter', tool_use: 'other', pause_turn: 'other' };

export function anthropicFinishReason(reason: string | null | undefined): FinishReason {
  return reason ? (FINISH[reason] ?? 'other') : 'other';
}

/** Anthropic's Messages API. */
export class AnthropicChatEngine extends CloudLlmEngine {
  readonly capabilities: EngineCapabilities;
  #client: Anthropic | undefined;

  constructor(provider: CloudLlmProviderOptions, logger?: PluginLogger) {
    super(provider, logger);
    this.capabilities = {
      workloads: ['completion', 'stream'],
      targets: ['cloud'],
      features: ['streaming', 'abort', 'system-prompt', 'usage', ...(provider.prices ? ['cost'] : [])],
      ...(provider.contextWindow ? { contextWindow: provider.contextWindow } : {}),
    };
  }

  private client(): Anthropic {
    this.#client ??= new Anthropic({
      apiKey: this.apiKey() ?? null,
      ...(this.provider.baseURL ? { baseURL: this.provider.baseURL } : {}),
      maxRetries: 0,
      timeout: this.provider.timeoutMs ?? 60_000,
      ...(this.provider.headers ? { defaultHeaders: { ...this.provider.headers } } : {}),
    });
    return this.#client;
  }

  private body(call: ProviderCall): MessageCreateParamsBase {
    const prompt = chatPromptFromInput(call.request.input, this.id);
    const p = call.request.parameters ?? {};
    return {
      model: call.model,
      max_tokens: p.maxTokens ?? this.provider.defaultMaxTokens ?? 1024,
      ...(prompt.system !== undefined ? { system: prompt.system } : {}),
      messages: prompt.messages.map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.topP !== undefined ? { top_p: p.topP } : {}),
      ...(p.topK !== undefined ? { top_k: p.topK } : {}),
      ...(p.stop?.length ? { stop_sequences: [...p.stop] } : {}),
    };
  }

  protected async chat(call: ProviderCall): Promise<EngineRunResult> {
    const message = await this.client().messages.create({ ...this.body(call), stream: false }, { signal: call.signal });
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    return {
      output: { kind: 'text', text },
      finishReason: anthropicFinishReason(message.stop_reason),
      usage: usageWithCost(message.usage.input_tokens, message.usage.output_tokens, this.price(call.model)),
    };
  }

  protected async *chatStream(call: ProviderCall): AsyncGenerator<EngineStreamPart> {
    const stream = await this.client().messages.create({ ...this.body(call), stream: true }, { signal: call.signal });
    yield { type: 'start', modelId: call.request.modelId };
    let finish: FinishReason | undefined;
    let stopped = false;
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    for await (const event of stream) {
      assertStreamNotAborted(call.signal, this.id);
      switch (event.type) {
        case 'message_start':
          inputTokens = event.message.usage.input_tokens;
          outputTokens = event.message.usage.output_tokens;
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta' && event.delta.text) yield { type: 'delta', kind: 'text', text: event.delta.text };
          break;
        case 'message_delta':
          finish = anthropicFinishReason(event.delta.stop_reason);
          outputTokens = event.usage.output_tokens;
          if (typeof event.usage.input_tokens === 'number') inputTokens = event.usage.input_tokens;
          break;
        case 'message_stop':
          stopped = true;
          break;
        default:
          break;
      }
    }
    assertStreamNotAborted(call.signal, this.id);
    if (!stopped) throw droppedStreamError(this.id, call.model);
    yield { type: 'finish', finishReason: finish ?? 'stop', usage: usageWithCost(inputTokens, outputTokens, this.price(call.model)) };
  }

  protected async embed(): Promise<EngineRunResult> {
    throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${this.id}: Anthropic has no embeddings API`, details: { engine: this.id } });
  }

  protected async probe(): Promise<void> {}
}
