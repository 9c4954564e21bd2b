/** The kinds of personal data the redactor finds. */
export type RedactionEntity = 'email' | 'phone' | 'credit-card' | 'ipv4' | 'iban';

export const REDACTION_ENTITIES: readonly RedactionEntity[] = ['email', 'phone', 'credit-card', 'ipv4', 'iban'];

export interface RedactionRule {
  readonly name: string;
  readonly pattern: RegExp;
  /** Extra check on a regex match (checksums), to avoid redacting look-alikes. */
  readonly accept?: (match: string) => boolean;
}

export interface RedactionFinding {
  readonly entity: string;
  readonly start: number;
  readonly end: number;
}

/** Luhn checksum: real card numbers pass, most random 13-19 digit runs do not. */
export function passesLuhn(digits: string): boolean {
  const ds = digits.replace(/\D/g, '');
  if (ds.length < 13 || ds.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < ds.length; i++) {
    let d = Number(ds[ds.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** IBAN mod-97 check (ISO 13616). */
export function passesIbanChecksum(iban: string): boolean {
  const compact = iban.replace(/\s/g, '').toUpperCase();
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

const BUILT_IN: Record<RedactionEntity, RedactionRule> = {
  email: { name: 'email', pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  'credit-card': { name: 'credit-card', pattern: /\b(?:\d[ -]?){12,18}\d\b/g, accept: passesLuhn },
  iban: { name: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, accept: passesIbanChecksum },
  ipv4: { name: 'ipv4', pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g },
  // Not inside a longer digit run (so a card-like number that failed Luhn is not half-redacted as a phone).
  phone: { name: 'phone', pattern: /(?<!\d[ .-]?)(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}[ .-]\d{3,4}[ .-]?\d{0,4}\b(?![ .-]?\d)/g, accept: (m) => m.replace(/\D/g, '').length >= 9 },
};

/** Built-in rules for the chosen entities, in an order where specific rules win over generic ones. */
export function builtInRules(entities: readonly RedactionEntity[]): RedactionRule[] {
  const order: RedactionEntity[] = ['email', 'iban', 'credit-card', 'ipv4', 'phone'];
  return order.filter((e) => entities.includes(e)).map((e) => BUILT_IN[e]);
}

/** All non-overlapping findings; an earlier rule keeps a span a later rule also matches. */
export function findSensitiveSpans(text: string, rules: readonly RedactionRule[]): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  const overlaps = (start: number, end: number) => findings.some((f) => start < f.end && end > f.start);
  for (const rule of rules) {
    for (const match of text.matchAll(new RegExp(rule.pattern.source, rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`))) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (match[0].length === 0 || overlaps(start, end)) continue;
      if (rule.accept && !rule.accept(match[0])) continue;
      findings.push({ entity: rule.name, start, end });
    }
  }
  return findings.sort((a, b) => a.start - b.start);
}

export type ReplacementStyle = 'label' | 'mask';

/** Replaces each finding with `[EMAIL]`-style labels or same-length `*` masks. */
export function applyRedactions(text: string, findings: readonly RedactionFinding[], style: ReplacementStyle): string {
  let out = '';
  let cursor = 0;
  for (const f of findings) {
    out += text.slice(cursor, f.start) + (style === 'label' ? `[${f.entity.toUpperCase()}]` : '*'.repeat(f.end - f.start));
    cursor = f.end;
  }
  return out + text.slice(cursor);
}
