import { SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { EngineRunRequest, EngineStreamPart, EngineV1 } from '@switchyard/spec';

/** A minimal engine that conforms: echoes the prompt (or the messages) word by word, honouring the signal between words. */
export function createWordEchoEngine(overrides: Partial<EngineV1> = {}): EngineV1 {
  const loaded = new Set<string>();
  const words = (request: EngineRunRequest): string[] => {
    if (!loaded.has(request.modelId)) throw new SwitchyardError({ code: 'MODEL_NOT_LOADED', message: `Model '${request.modelId}' is not loaded` });
    if (request.input.kind !== 'text') throw new SwitchyardError({ code: 'INVALID_INPUT', message: 'expected text input' });
    // Chat requests arrive as messages, completions as a prompt.
    const text = request.input.messages?.map((message) => message.content).join(' ') ?? request.input.prompt ?? '';
    return text.split(/\s+/).filter(Boolean);
  };
  return {
    specificationVersion: 'v1',
    id: 'word-echo',
    capabilities: { workloads: ['completion'], targets: ['local'], features: ['streaming', 'abort'] },
    async doLoad(model) {
      loaded.add(model.id);
    },
    async doRun(request, signal) {
      throwIfAborted(signal, 'run');
      const text = words(request).join(' ');
      return { output: { kind: 'text', text }, finishReason: 'stop', usage: { outputTokens: text.split(' ').length } };
    },
    async *doStream(request, signal): AsyncGenerator<EngineStreamPart> {
      const list = words(request);
      yield { type: 'start', modelId: request.modelId };
      for (const word of list) {
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal, 'stream');
        yield { type: 'delta', kind: 'text', text: word };
      }
      yield { type: 'finish', usage: { outputTokens: list.length }, finishReason: 'stop' };
    },
    async doUnload(modelId) {
      loaded.delete(modelId);
    },
    async health() {
      return { ok: true };
    },
    ...overrides,
  };
}
