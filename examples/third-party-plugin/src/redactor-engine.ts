import { InvalidInputError, SwitchyardError, throwIfAborted } from '@switchyard/spec';
import type { EngineCapabilities, EngineInput, EngineModelSpec, EngineRunRequest, EngineRunResult, EngineStreamPart, EngineV1 } from '@switchyard/spec';
import { compileCustomPatterns } from './redactor-options.js';
import type { RedactorCustomPattern, RedactorOptions } from './redactor-options.js';
import { REDACTION_ENTITIES, applyRedactions, builtInRules, findSensitiveSpans } from './redactor-rules.js';
import type { RedactionEntity, RedactionRule, ReplacementStyle } from './redactor-rules.js';

interface RedactionProfile {
  readonly rules: readonly RedactionRule[];
  readonly replacement: ReplacementStyle;
}

/**
 * A deterministic local engine that redacts personal data (emails, phone numbers, Luhn-valid card numbers,
 * IPv4 addresses, checksummed IBANs, plus custom patterns) from text. Each loaded "model" is a redaction
 * profile; its spec `options` may narrow `entities`, add `customPatterns` or change `replacement`.
 */
export class RedactorEngine implements EngineV1 {
  readonly specificationVersion = 'v1' as const;
  readonly id: string;
  readonly capabilities: EngineCapabilities = { workloads: ['completion', 'stream'], targets: ['local'], features: ['streaming', 'abort', 'deterministic'] };
  readonly #options: RedactorOptions;
  readonly #profiles = new Map<string, RedactionProfile>();

  constructor(options: RedactorOptions = {}) {
    this.id = options.id ?? 'pii-redactor';
    this.#options = options;
    compileCustomPatterns(options.customPatterns ?? []); // fail at construction, not on first call
  }

  async doLoad(model: EngineModelSpec, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal, `${this.id} load`);
    const overrides = (model.options ?? {}) as { entities?: RedactionEntity[]; customPatterns?: RedactorCustomPattern[]; replacement?: ReplacementStyle };
    const entities = overrides.entities ?? this.#options.entities ?? REDACTION_ENTITIES;
    const unknown = entities.filter((e) => !REDACTION_ENTITIES.includes(e));
    if (unknown.length > 0) {
      throw new SwitchyardError({
        code: 'MODEL_LOAD_FAILED',
        message: `${this.id}: model '${model.id}' options/entities has unknown entities ${unknown.join(', ')} (known: ${REDACTION_ENTITIES.join(', ')})`,
        details: { model: model.id, pointer: '/options/entities', expected: REDACTION_ENTITIES.join('|'), found: unknown.join(',') },
      });
    }
    const rules = [
      ...compileCustomPatterns(this.#options.customPatterns ?? []),
      ...compileCustomPatterns(overrides.customPatterns ?? [], `/models/${model.id}/options`),
      ...builtInRules(entities),
    ];
    this.#profiles.set(model.id, { rules, replacement: overrides.replacement ?? this.#options.replacement ?? 'label' });
  }

  async doUnload(modelId: string): Promise<void> {
    this.#profiles.delete(modelId);
  }

  #profile(request: EngineRunRequest): RedactionProfile {
    const profile = this.#profiles.get(request.modelId);
    if (!profile) {
      throw new SwitchyardError({ code: 'MODEL_NOT_LOADED', message: `${this.id}: model '${request.modelId}' is not loaded (loaded: ${[...this.#profiles.keys()].join(', ') || 'none'})`, details: { model: request.modelId } });
    }
    if (request.workload !== 'completion' && request.workload !== 'stream') {
      throw new SwitchyardError({ code: 'UNSUPPORTED', message: `${this.id}: workload '${request.workload}' is not supported`, details: { workload: request.workload } });
    }
    return profile;
  }

  async doRun(request: EngineRunRequest, signal: AbortSignal): Promise<EngineRunResult> {
    throwIfAborted(signal, `${this.id} run`);
    const profile = this.#profile(request);
    const text = inputText(request.input, this.id);
    const findings = findSensitiveSpans(text, profile.rules);
    return { output: { kind: 'text', text: applyRedactions(text, findings, profile.replacement) }, finishReason: 'stop', metrics: { redactions: findings.length } };
  }

  /** Streams the redacted text line by line, checking the signal between lines. */
  async *doStream(request: EngineRunRequest, signal: AbortSignal): AsyncGenerator<EngineStreamPart> {
    throwIfAborted(signal, `${this.id} stream`);
    const profile = this.#profile(request);
    const text = inputText(request.input, this.id);
    yield { type: 'start', modelId: request.modelId };
    let redactions = 0;
    for (const line of text.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
      await new Promise((resolve) => setImmediate(resolve)); // yield to the event loop so an abort can land
      throwIfAborted(signal, `${this.id} stream`);
      const findings = findSensitiveSpans(line, profile.rules);
      redactions += findings.length;
      yield { type: 'delta', kind: 'text', text: applyRedactions(line, findings, profile.replacement) };
    }
    yield { type: 'metrics', metrics: { redactions } };
    yield { type: 'finish', usage: {}, finishReason: 'stop' };
  }

  async health() {
    return { ok: true, details: { profiles: this.#profiles.size } };
  }
}

function inputText(input: EngineInput, engineId: string): string {
  if (input.kind !== 'text') throw new InvalidInputError({ message: `${engineId}: expected input kind 'text', found '${input.kind}'`, field: 'input.kind', expected: 'text', found: input.kind });
  const parts = [...(input.messages ?? []).map((m) => m.content), ...(input.prompt !== undefined ? [input.prompt] : [])];
  if (parts.length === 0) throw new InvalidInputError({ message: `${engineId}: the input has no prompt or messages`, field: 'input.prompt', expected: 'text', found: 'nothing' });
  return parts.join('\n');
}
