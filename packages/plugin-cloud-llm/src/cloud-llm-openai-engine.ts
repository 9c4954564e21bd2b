import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { EngineCapabilities, EngineRunResult, EngineStreamPart, FinishReason, PluginLogger } from '@switchyard/spec';
import { CloudLlmEngine, assertStreamNotAborted, droppedStreamError } from './cloud-llm-engine.js';
import type { ProviderCall } from './cloud-llm-engine.js';
import type { CloudLlmProviderOptions } from './cloud-llm-options.js';
import { chatPromptFromInput, textsFromInput } from './cloud-llm-prompt.js';
import { usageWithCost } from './cloud-llm-usage.js';

const FINISH: Record<string, FinishReason> = { stop: 'stop', length: 'length', content_filter: 'content-filter', tool_calls: 'other', function_call: 'other' };

export function openAiFinishReason(reason: string | null | undefined): FinishReason {
  return reason ? (FINISH[reason] ?? 'other') : 'other';
}

/** OpenAI, or any server speaking the OpenAI chat-completions API (vLLM, Ollama, llama.cpp, LM Studio, mlx-lm). */
export class OpenAiChatEngine extends CloudLlmEngine {
  readonly capabilities: EngineCapabilities;
  #client: OpenAI | undefined;

  constructor(provider: CloudLlmProviderOptions, logger?: PluginLogger) {
    super(provider, logger);
    this.capabilities = {
      workloads: ['completion', 'stream', 'embedding'],
      targets: [provider.kind === 'openai' ? 'cloud' : 'edge'],
      features: ['streaming', 'abort', 'system-prompt', 'usage', ...(provider.prices ? ['cost'] : [])],
      ...(provider.contextWindow ? { contextWindow: provider.contextWindow } : {}),
    };
  }

  private client(): OpenAI {
    // Self-hosted servers often need no key; the SDK insists on one, so send a placeholder.
    this.#client ??= new OpenAI({
      apiKey: this.apiKey() ?? 'no-key',
      ...(this.provider.baseURL ? { baseURL: this.provider.baseURL } : {}),
      maxRetries: 0,
      timeout: this.provider.timeoutMs ?? 60_000,
      ...(this.provider.headers ? { defaultHeaders: { ...this.provider.headers } } : {}),
    });
    return this.#client;
  }

  private body(call: ProviderCall): ChatCompletionCreateParamsBase {
    const prompt = chatPromptFromInput(call.request.input, this.id);
    const messages: ChatCompletionMessageParam[] = [
      ...(prompt.system !== undefined ? [{ role: 'system' as const, content: prompt.system }] : []),
      ...prompt.messages.map((m) => ({ role: m.role, content: m.content }) as ChatCompletionMessageParam),
    ];
    const p = call.request.parameters ?? {};
    const maxTokens = p.maxTokens ?? this.provider.defaultMaxTokens;
    return {
      model: call.model,
      messages,
      ...(maxTokens !== undefined ? (this.provider.kind === 'openai' ? { max_completion_tokens: maxTokens } : { max_tokens: maxTokens }) : {}),
      ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
      ...(p.topP !== undefined ? { top_p: p.topP } : {}),
      ...(p.stop?.length ? { stop: [...p.stop] } : {}),
      ...(p.seed !== undefined ? { seed: p.seed } : {}),
    };
  }

  protected async chat(call: ProviderCall): Promise<EngineRunResult> {
    const completion = await this.client().chat.completions.create({ ...this.body(call), stream: false }, { signal: call.signal });
    const choice = completion.choices[0];
    return {
      output: { kind: 'text', text: choice?.message.content ?? '' },
      finishReason: openAiFinishReason(choice?.finish_reason),
      usage: usageWithCost(completion.usage?.prompt_tokens, completion.usage?.completion_tokens, this.price(call.model)),
    };
  }

  protected async *chatStream(call: ProviderCall): AsyncGenerator<EngineStreamPart> {
    const body = this.body(call);
    const stream = await this.client().chat.completions.create(
      { ...body, stream: true, ...(this.provider.streamUsage === false ? {} : { stream_options: { include_usage: true } }) },
      { signal: call.signal },
    );
    yield { type: 'start', modelId: call.request.modelId };
    let finish: FinishReason | undefined;
    let inputTokens: number | undefined;
    let outputTokens: number | undefined;
    for await (const chunk of stream) {
      assertStreamNotAborted(call.signal, this.id);
      const choice = chunk.choices[0];
      const text = choice?.delta?.content;
      if (text) yield { type: 'delta', kind: 'text', text };
      if (choice?.finish_reason) finish = openAiFinishReason(choice.finish_reason);
      if (chunk.usage) {
        inputTokens = chunk.usage.prompt_tokens;
        outputTokens = chunk.usage.completion_tokens;
      }
    }
    assertStreamNotAborted(call.signal, this.id);
    if (finish === undefined) throw droppedStreamError(this.id, call.model);
    yield { type: 'finish', finishReason: finish, usage: usageWithCost(inputTokens, outputTokens, this.price(call.model)) };
  }

  protected async embed(call: ProviderCall): Promise<EngineRunResult> {
    const texts = textsFromInput(call.request.input, this.id);
    const response = await this.client().embeddings.create({ model: call.model, input: [...texts], encoding_format: 'float' }, { signal: call.signal });
    const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
    return { output: { kind: 'embeddings', vectors }, usage: usageWithCost(response.usage?.prompt_tokens, 0, this.price(call.model)) };
  }

  protected async probe(signal: AbortSignal): Promise<void> {
    await this.client().models.list({ signal, maxRetries: 0 });
  }
}
