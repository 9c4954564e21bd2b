/** A named redaction: a pattern and its replacement marker. */
export interface RedactionRule {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replacement: string;
}

/**
 * Secrets first (they can contain digits a phone pattern would eat), then emails, then phone numbers.
 * Key formats: OpenAI/Anthropic `sk-...`, AWS access key ids `AKIA...`, GitHub tokens `ghp_/gho_/ghs_/ghu_/ghr_/github_pat_`,
 * Slack `xoxb-/xoxp-/xoxa-/xoxr-/xoxs-`, `Bearer <token>`, JWTs, and `api_key=...`-style assignments.
 */
export const REDACTION_RULES: readonly RedactionRule[] = [
  { name: 'secret', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, replacement: '[REDACTED_JWT]' },
  { name: 'secret', pattern: /\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*/g, replacement: 'Bearer [REDACTED_TOKEN]' },
  { name: 'secret', pattern: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, replacement: '[REDACTED_API_KEY]' },
  { name: 'secret', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replacement: '[REDACTED_AWS_KEY]' },
  { name: 'secret', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g, replacement: '[REDACTED_GITHUB_TOKEN]' },
  { name: 'secret', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replacement: '[REDACTED_SLACK_TOKEN]' },
  {
    name: 'secret',
    pattern: /\b(api[_-]?key|secret|password|access[_-]?token)(\s*[:=]\s*)["']?[^\s"']{6,}["']?/gi,
    replacement: '$1$2[REDACTED_SECRET]',
  },
  { name: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, replacement: '[REDACTED_EMAIL]' },
  {
    name: 'phone',
    pattern: /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]?\d{3,4}\b/g,
    replacement: '[REDACTED_PHONE]',
  },
];

export type RedactionKind = 'email' | 'phone' | 'secret';

/** Redacts the selected kinds; returns the new text and the names of the transforms that changed it. */
export function redactText(text: string, kinds: readonly RedactionKind[] = ['secret', 'email', 'phone']): { text: string; applied: string[] } {
  const applied = new Set<string>();
  let out = text;
  for (const rule of REDACTION_RULES) {
    if (!kinds.includes(rule.name as RedactionKind)) continue;
    const next = out.replace(rule.pattern, rule.replacement);
    if (next !== out) applied.add(`redact:${rule.name}`);
    out = next;
  }
  return { text: out, applied: [...applied] };
}
