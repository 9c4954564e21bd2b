import type { ChatMessage, EngineInput, InferenceRequest, PolicyDecision } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import type { PolicyConfig } from './policy-config.js';
import { compilePolicyExpression, evaluatePolicyExpression, type PolicyExpression } from './policy-expression.js';
import { redactText, type RedactionKind } from './safety-transforms.js';

interface CompiledRule {
  readonly id: string;
  readonly expression: PolicyExpression;
  readonly action: 'allow' | 'deny' | 'redact';
  readonly reason?: string;
  readonly redact: readonly RedactionKind[];
}

export interface PolicyEvaluation {
  readonly decision: PolicyDecision;
  /** The request to run (inputs redacted when the outcome is `redact`). */
  readonly request: InferenceRequest;
}

/** Text the policy reads from an input (prompt, system and messages joined; texts joined). */
export function inputText(input: EngineInput): string | undefined {
  switch (input.kind) {
    case 'text':
      return [input.system, input.prompt, ...(input.messages ?? []).map((m) => m.content)].filter((s) => s !== undefined).join('\n');
    case 'texts':
      return input.texts.join('\n');
    default:
      return undefined;
  }
}

/**
 * Ordered rules, first match wins, compiled at construction (a bad `when` throws POLICY_EXPRESSION_INVALID with the
 * rule id and column). Safety limits (max length, blocked patterns) run first.
 */
export class PolicyEngine {
  private readonly rules: CompiledRule[];
  private readonly blocked: { readonly source: string; readonly pattern: RegExp }[];

  constructor(private readonly config: PolicyConfig = {}) {
    const seen = new Set<string>();
    this.rules = (config.rules ?? []).map((rule, index) => {
      if (seen.has(rule.id)) {
        throw new SwitchyardError({
          code: 'CONFIG_INVALID',
          message: `/policy/rules/${index}/id: duplicate rule id '${rule.id}'`,
          details: { pointer: `/policy/rules/${index}/id`, rule_id: rule.id },
        });
      }
      seen.add(rule.id);
      return {
        id: rule.id,
        expression: compilePolicyExpression(rule.when, rule.id, `/policy/rules/${index}/when`),
        action: rule.action,
        ...(rule.reason !== undefined ? { reason: rule.reason } : {}),
        redact: rule.redact ?? ['secret', 'email', 'phone'],
      };
    });
    this.blocked = (config.blockedPatterns ?? []).map((source, index) => {
      try {
        return { source, pattern: new RegExp(source, 'i') };
      } catch (error) {
        throw new SwitchyardError({
          code: 'CONFIG_INVALID',
          message: `/policy/blockedPatterns/${index}: not a valid regular expression: ${(error as Error).message}`,
          details: { pointer: `/policy/blockedPatterns/${index}`, found: source },
          cause: error,
        });
      }
    });
  }

  evaluate(request: InferenceRequest): PolicyEvaluation {
    const text = inputText(request.input);
    const limit = this.config.maxPromptLength;
    if (limit !== undefined && text !== undefined && text.length > limit) {
      return this.deny(request, 'maxPromptLength', `input is ${text.length} characters; the limit is ${limit}`);
    }
    if (text !== undefined) {
      const hit = this.blocked.find((b) => b.pattern.test(text));
      if (hit) return this.deny(request, 'blockedPatterns', `input matches blocked pattern /${hit.source}/`);
    }
    const scope = {
      input: { kind: request.input.kind, text: text ?? '', length: text?.length ?? 0 },
      request: {
        model: request.model,
        workload: request.workload,
        target: request.target ?? 'auto',
        tags: request.tags ?? [],
      },
      metrics: request.metrics ?? {},
    };
    for (const rule of this.rules) {
      if (!evaluatePolicyExpression(rule.expression, scope)) continue;
      const reason = rule.reason ?? `rule '${rule.id}' matched`;
      if (rule.action === 'deny') return this.deny(request, rule.id, reason);
      if (rule.action === 'allow') return { decision: { outcome: 'allow', rule_id: rule.id, reason }, request };
      const { input, applied } = redactInput(request.input, rule.redact);
      return {
        decision: { outcome: 'redact', rule_id: rule.id, reason: applied.length ? reason : `${reason} (nothing to redact)`, transforms: applied },
        request: { ...request, input },
      };
    }
    if (this.config.defaultAction === 'deny') return this.deny(request, undefined, 'no rule allowed the request (defaultAction: deny)');
    return { decision: { outcome: 'allow', reason: this.rules.length ? 'no rule matched' : 'no policy rules configured' }, request };
  }

  /** Throws POLICY_DENIED when the decision is deny. */
  static assertAllowed(decision: PolicyDecision): void {
    if (decision.outcome === 'deny') {
      throw new SwitchyardError({
        code: 'POLICY_DENIED',
        message: `Policy denied the request${decision.rule_id ? ` (rule '${decision.rule_id}')` : ''}: ${decision.reason}`,
        details: { rule_id: decision.rule_id, reason: decision.reason },
      });
    }
  }

  private deny(request: InferenceRequest, ruleId: string | undefined, reason: string): PolicyEvaluation {
    return { decision: { outcome: 'deny', ...(ruleId !== undefined ? { rule_id: ruleId } : {}), reason }, request };
  }
}

function redactInput(input: EngineInput, kinds: readonly RedactionKind[]): { input: EngineInput; applied: string[] } {
  const applied = new Set<string>();
  const redact = (text: string): string => {
    const result = redactText(text, kinds);
    result.applied.forEach((name) => applied.add(name));
    return result.text;
  };
  if (input.kind === 'text') {
    // Every text a turn carries is redacted: its content, its ordered parts and a refusal.
    const messages: ChatMessage[] | undefined = input.messages?.map((m): ChatMessage => {
      const redacted = { ...m, content: redact(m.content) } as ChatMessage & { parts?: ChatMessage['parts']; refusal?: string };
      if (m.parts) redacted.parts = m.parts.map((part) => (part.type === 'text' ? { type: 'text', text: redact(part.text) } : part));
      if (m.role === 'assistant' && m.refusal !== undefined) redacted.refusal = redact(m.refusal);
      return redacted;
    });
    const next: EngineInput = {
      kind: 'text',
      ...(input.prompt !== undefined ? { prompt: redact(input.prompt) } : {}),
      ...(input.system !== undefined ? { system: redact(input.system) } : {}),
      ...(messages ? { messages } : {}),
    };
    return { input: next, applied: [...applied] };
  }
  if (input.kind === 'texts') return { input: { kind: 'texts', texts: input.texts.map(redact) }, applied: [...applied] };
  return { input, applied: [] };
}
