import { SwitchyardError } from '@switchyard/spec';

/** Levenshtein distance between two strings (one row of the DP table). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Known names closest to `name` (edit distance within a third of its length, or sharing a prefix), best first. */
export function closeMatches(name: string, known: Iterable<string>, limit = 5): string[] {
  const wanted = name.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const candidate of new Set(known)) {
    const lower = candidate.toLowerCase();
    const distance = editDistance(wanted, lower);
    const related = lower.startsWith(wanted) || wanted.startsWith(lower) || distance <= Math.max(2, Math.floor(wanted.length / 3));
    if (related) scored.push({ name: candidate, score: distance });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/** ` (close matches: a, b)`, or '' when there are none: how every NO_SUCH_MODEL message lists them. */
export function closeMatchesHint(matches: readonly string[]): string {
  return matches.length > 0 ? ` (close matches: ${matches.join(', ')})` : '';
}

/** NO_SUCH_MODEL: `lead`, the close matches among `known` (message and details), then `why` (may be empty). */
export function noSuchModelError(lead: string, modelId: string, known: Iterable<string>, why = ''): SwitchyardError {
  const matches = closeMatches(modelId, known);
  return new SwitchyardError({ code: 'NO_SUCH_MODEL', message: `${lead}${closeMatchesHint(matches)}${why}`, details: { modelId, closeMatches: matches } });
}

/** NO_SUCH_MODEL for an id nothing in the app serves, with the close matches in the message and details. */
export function unknownModelError(modelId: string, known: Iterable<string>): SwitchyardError {
  return noSuchModelError(`No such model '${modelId}'`, modelId, known, ": it is not a registry model, a route, an 'engine:model' of a registered engine or a configured model");
}

/** The refusal when the engine a model runs on cannot count tokens (OpenAI-style upstreams have no such API). */
export function countTokensUnsupported(model: string, engine?: string): SwitchyardError {
  const why = engine !== undefined ? `engine '${engine}' has no token counting` : 'this server cannot say which engine would count it';
  return new SwitchyardError({ code: 'UNSUPPORTED', message: `count_tokens is not supported for model '${model}' (${why})`, details: { field: 'model', model, ...(engine !== undefined ? { engine } : {}) } });
}
