import type { Classification, PromptClassifier } from './classification.js';

const CATEGORY_PATTERNS: readonly [Classification['category'], RegExp][] = [
  ['code', /```|\b(function|class|regex|sql|query|typescript|javascript|python|rust|golang|java|c\+\+|bash|script|compile[sd]?|bug|stack trace|refactor|unit tests?|api endpoint|implement|algorithm|code)\b/i],
  ['summary', /\b(summari[sz]e|summary|tl;?dr|condense|key points|recap|brief overview|in (one|a few|two|three) sentences?)\b/i],
  ['extraction', /\b(extract|pull out|list (all|every|the)|find (all|every|the)|what is the (date|name|email|phone|address|total|amount)|parse|fields?|json with)\b/i],
  ['classification', /\b(classify|categori[sz]e|label|sentiment|is this (spam|positive|negative)|which category|tag (this|the)|positive or negative)\b/i],
  ['creative', /\b(write (a|an|me) (poem|story|song|haiku|limerick|joke|slogan|tagline)|poem|story|haiku|lyrics|fiction|imagine|creative|brainstorm|slogan|tagline)\b/i],
  ['reasoning', /\b(why|prove|derive|explain|reason|compare|trade-?offs?|should i|plan|design|analy[sz]e|evaluate|calculate|estimate|how (many|much|would|does|do|can))\b/i],
];

const COMPLEX_MARKERS =
  /\b(step[- ]by[- ]step|prove|proof|derive|architecture|distributed|trade-?offs?|in depth|detailed|comprehensive|optimi[sz]e|concurren(t|cy)|scal(e|able|ability)|multi-?step|edge cases|formal|rigorous|theorem|complexity analysis|design (a|an)|migration plan|threat model|compare .* and .* and)\b/gi;
const SIMPLE_MARKERS = /\b(what is|who is|define|translate|spell|capital of|convert|one word|yes or no|quick|short|simple|briefly)\b/gi;

/**
 * Keyword/feature classifier: no model, sub-millisecond. Score grows with length, complexity markers, code blocks and
 * the number of questions, and shrinks with simple-lookup markers.
 */
export class RuleBasedClassifier implements PromptClassifier {
  readonly kind = 'rules';

  classify(text: string): Classification {
    const sample = text.length > 4000 ? text.slice(0, 4000) : text;
    let category: Classification['category'] = 'reasoning';
    let matched = false;
    for (const [name, pattern] of CATEGORY_PATTERNS) {
      if (pattern.test(sample)) {
        category = name;
        matched = true;
        break;
      }
    }
    const words = sample.split(/\s+/).filter(Boolean).length;
    const complexHits = sample.match(COMPLEX_MARKERS)?.length ?? 0;
    const simpleHits = sample.match(SIMPLE_MARKERS)?.length ?? 0;
    const questions = sample.match(/\?/g)?.length ?? 0;
    const codeBlock = sample.includes('```') ? 1 : 0;

    let score = 0.3;
    score += Math.min(0.3, words / 250);
    score += 0.22 * Math.min(3, complexHits);
    score += 0.05 * Math.max(0, Math.min(3, questions - 1));
    score += 0.1 * codeBlock;
    score -= 0.18 * Math.min(2, simpleHits);
    if (category === 'extraction' || category === 'summary' || category === 'classification') score -= 0.15;
    if (category === 'creative' && words < 25) score -= 0.1;
    score = Math.max(0, Math.min(1, score));

    const complexity: Classification['complexity'] = score >= 0.6 ? 'complex' : score >= 0.35 ? 'moderate' : 'simple';
    const confidence = Math.min(0.95, (matched ? 0.6 : 0.4) + Math.abs(score - 0.5) * 0.6);
    return { category, complexity, confidence: Math.round(confidence * 100) / 100, score: Math.round(score * 1000) / 1000 };
  }
}
