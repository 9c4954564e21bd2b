import { SwitchyardError } from '@switchyard/spec';
import { closeMatches } from '../orchestrator/model-names.js';

/** AST of a policy `when` expression. */
export type PolicyExpression =
  | { readonly type: 'literal'; readonly value: string | number | boolean | null }
  | { readonly type: 'list'; readonly items: readonly PolicyExpression[] }
  | { readonly type: 'path'; readonly path: readonly string[] }
  | { readonly type: 'not'; readonly operand: PolicyExpression }
  | { readonly type: 'logical'; readonly op: 'and' | 'or'; readonly left: PolicyExpression; readonly right: PolicyExpression }
  | { readonly type: 'compare'; readonly op: CompareOp; readonly left: PolicyExpression; readonly right: PolicyExpression };

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'contains' | 'in' | 'matches';

const POLICY_ROOTS: readonly string[] = ['input', 'request', 'metrics'];

/** The fields under each root of an expression: a list, or 'any' (one name of any kind, e.g. `metrics.<any>`). */
export type ExpressionFields = Readonly<Record<string, readonly string[] | 'any'>>;

/** What a policy rule's scope holds (policy-engine.ts builds it; docs/orchestration.md lists it). */
const POLICY_FIELDS: ExpressionFields = { input: ['kind', 'text', 'length'], request: ['model', 'workload', 'target', 'tags'], metrics: 'any' };
const KEYWORD_OPS = new Set(['contains', 'in', 'matches']);

interface Token {
  readonly kind: 'string' | 'number' | 'ident' | 'op' | 'punct' | 'end';
  readonly text: string;
  readonly value?: string | number;
  /** 1-based column. */
  readonly column: number;
}

/** Thrown by the parser; the policy engine adds the rule id. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const column = i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      let value = '';
      let j = i + 1;
      for (; j < source.length && source[j] !== ch; j++) {
        if (source[j] === '\\' && j + 1 < source.length) j++;
        value += source[j];
      }
      if (j >= source.length) throw new ExpressionSyntaxError('unterminated string', column);
      tokens.push({ kind: 'string', text: source.slice(i, j + 1), value, column });
      i = j + 1;
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]), column });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ kind: 'ident', text: match[0], column });
      i += match[0].length;
    } else {
      const two = source.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'op', text: two, column });
        i += 2;
      } else if ('<>!'.includes(ch)) {
        tokens.push({ kind: 'op', text: ch, column });
        i++;
      } else if ('().,[]'.includes(ch)) {
        tokens.push({ kind: 'punct', text: ch, column });
        i++;
      } else {
        throw new ExpressionSyntaxError(`unexpected character '${ch}'`, column);
      }
    }
  }
  tokens.push({ kind: 'end', text: '<end>', column: source.length + 1 });
  return tokens;
}

/** Recursive-descent parser: or > and > not > comparison > primary. */
class Parser {
  private index = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly roots: readonly string[],
    private readonly fields?: ExpressionFields,
  ) {}

  parse(): PolicyExpression {
    const expression = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw new ExpressionSyntaxError(`unexpected '${next.text}' after a complete expression`, next.column);
    return expression;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }
  private take(): Token {
    return this.tokens[this.index++]!;
  }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === word;
  }

  private or(): PolicyExpression {
    let left = this.and();
    while (this.isWord('or') || this.peek().text === '||') {
      this.take();
      left = { type: 'logical', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): PolicyExpression {
    let left = this.not();
    while (this.isWord('and') || this.peek().text === '&&') {
      this.take();
      left = { type: 'logical', op: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): PolicyExpression {
    if (this.isWord('not') || this.peek().text === '!') {
      this.take();
      return { type: 'not', operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): PolicyExpression {
    const left = this.primary();
    const t = this.peek();
    const isOp = (t.kind === 'op' && !['&&', '||', '!'].includes(t.text)) || (t.kind === 'ident' && KEYWORD_OPS.has(t.text));
    if (!isOp) return left;
    this.take();
    const rightToken = this.peek();
    const right = this.primary();
    if (t.text === 'matches' && right.type === 'literal' && typeof right.value === 'string') {
      try {
        new RegExp(right.value, 'i');
      } catch (error) {
        throw new ExpressionSyntaxError(`invalid regular expression after 'matches': ${(error as Error).message}`, rightToken.column);
      }
    }
    return { type: 'compare', op: t.text as CompareOp, left, right };
  }

  private primary(): PolicyExpression {
    const t = this.take();
    switch (t.kind) {
      case 'string':
      case 'number':
        return { type: 'literal', value: t.value! };
      case 'punct':
        if (t.text === '(') {
          const inner = this.or();
          this.expect(')', t);
          return inner;
        }
        if (t.text === '[') return this.list();
        break;
      case 'ident':
        if (t.text === 'true' || t.text === 'false') return { type: 'literal', value: t.text === 'true' };
        if (t.text === 'null') return { type: 'literal', value: null };
        return this.path(t);
      default:
        break;
    }
    throw new ExpressionSyntaxError(t.kind === 'end' ? 'expression ends too early' : `unexpected '${t.text}'`, t.column);
  }

  private list(): PolicyExpression {
    const items: PolicyExpression[] = [];
    if (this.peek().text === ']') {
      this.take();
      return { type: 'list', items };
    }
    for (;;) {
      items.push(this.primary());
      const t = this.take();
      if (t.text === ']') return { type: 'list', items };
      if (t.text !== ',') throw new ExpressionSyntaxError(`expected ',' or ']' in list, found '${t.text}'`, t.column);
    }
  }

  private path(first: Token): PolicyExpression {
    if (!this.roots.includes(first.text)) {
      throw new ExpressionSyntaxError(`unknown name '${first.text}' (paths start with ${this.roots.map((r) => `${r}.`).join(', ')})`, first.column);
    }
    const path = [first.text];
    const columns = [first.column];
    while (this.peek().text === '.') {
      this.take();
      const part = this.take();
      if (part.kind !== 'ident') throw new ExpressionSyntaxError(`expected a field name after '.', found '${part.text}'`, part.column);
      path.push(part.text);
      columns.push(part.column);
    }
    if (path.length < 2) {
      const known = this.fields?.[first.text];
      const example = Array.isArray(known) && known.length > 0 ? `${first.text}.${known[0]}` : `${first.text}.<name>`;
      throw new ExpressionSyntaxError(`'${first.text}' needs a field (e.g. ${example})`, first.column);
    }
    this.checkFields(path, columns);
    return { type: 'path', path };
  }

  /** The whole path must name a field the scope has: `request.modle` would never match, so it fails at load. */
  private checkFields(path: readonly string[], columns: readonly number[]): void {
    const allowed = this.fields?.[path[0]!];
    if (allowed === undefined) return;
    const root = path[0]!;
    if (allowed !== 'any' && !allowed.includes(path[1]!)) {
      const close = closeMatches(path[1]!, allowed, 1);
      throw new ExpressionSyntaxError(
        `unknown field '${root}.${path[1]}' (${root} has ${allowed.map((f) => `${root}.${f}`).join(', ')}${close.length ? `; did you mean '${root}.${close[0]}'?` : ''})`,
        columns[1]!,
      );
    }
    if (path.length > 2) throw new ExpressionSyntaxError(`'${root}.${path[1]}' has no fields (found '${path.join('.')}')`, columns[2]!);
  }

  private expect(text: string, opener: Token): void {
    const t = this.take();
    if (t.text !== text) throw new ExpressionSyntaxError(`expected '${text}' to close '${opener.text}' at column ${opener.column}, found '${t.text}'`, t.column);
  }
}

/** Parses a `when` expression; throws ExpressionSyntaxError with a 1-based column. */
export function parsePolicyExpression(
  source: string,
  roots: readonly string[] = POLICY_ROOTS,
  fields: ExpressionFields | undefined = roots === POLICY_ROOTS ? POLICY_FIELDS : undefined,
): PolicyExpression {
  return new Parser(tokenize(source), roots, fields).parse();
}

/** Parses with the rule id attached: POLICY_EXPRESSION_INVALID naming rule, column and the expression. */
export function compilePolicyExpression(source: string, ruleId: string, where = '/policy/rules'): PolicyExpression {
  try {
    return parsePolicyExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    throw new SwitchyardError({
      code: 'POLICY_EXPRESSION_INVALID',
      message: `${where}: rule '${ruleId}': ${error.message} at column ${error.column} in \`${source}\``,
      details: { rule_id: ruleId, column: error.column, expression: source, pointer: where },
    });
  }
}

/** Values of the expression's root names (`input`, `request`, `metrics` for policy rules). */
export type ExpressionScope = Readonly<Record<string, unknown>>;

/** Evaluates to a boolean; missing fields are `undefined` and make comparisons false (never throw at request time). */
export function evaluatePolicyExpression(expression: PolicyExpression, scope: ExpressionScope): boolean {
  return truthy(evaluate(expression, scope));
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

function evaluate(node: PolicyExpression, scope: ExpressionScope): unknown {
  switch (node.type) {
    case 'literal':
      return node.value;
    case 'list':
      return node.items.map((item) => evaluate(item, scope));
    case 'path': {
      let value: unknown = scope[node.path[0]!];
      for (const key of node.path.slice(1)) {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
        value = (value as Record<string, unknown>)[key];
      }
      return value;
    }
    case 'not':
      return !truthy(evaluate(node.operand, scope));
    case 'logical':
      return node.op === 'and'
        ? truthy(evaluate(node.left, scope)) && truthy(evaluate(node.right, scope))
        : truthy(evaluate(node.left, scope)) || truthy(evaluate(node.right, scope));
    case 'compare':
      return compare(node.op, evaluate(node.left, scope), evaluate(node.right, scope));
  }
}

function compare(op: CompareOp, left: unknown, right: unknown): boolean {
  // A missing field makes every comparison false, `!=` included (docs/orchestration.md).
  if (left === undefined || right === undefined) return false;
  switch (op) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string'))) return false;
      if (op === '<') return left < right;
      if (op === '<=') return left <= right;
      if (op === '>') return left > right;
      return left >= right;
    }
    case 'contains':
      if (Array.isArray(left)) return left.includes(right);
      return typeof left === 'string' && typeof right === 'string' && left.includes(right);
    case 'in':
      if (Array.isArray(right)) return right.includes(left);
      return typeof right === 'string' && typeof left === 'string' && right.includes(left);
    case 'matches':
      return typeof left === 'string' && typeof right === 'string' && safeRegExp(right)?.test(left) === true;
  }
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return undefined;
  }
}
