import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { SwitchyardError } from '@switchyard/spec';
import type { SourcePosition } from './config-types.js';

/** A parsed config text that can map a JSON pointer back to a line and column. */
export interface ConfigSource {
  readonly file: string;
  readonly value: unknown;
  /** Position of the value (or, with `key`, of the property name) at `pointer`; nearest existing ancestor otherwise. */
  locate(pointer: string, options?: { key?: boolean }): SourcePosition | undefined;
}

export function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function encodePointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function positionOf(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Walks the YAML AST along the pointer; returns the deepest node reached. */
function findNode(document: Document, segments: readonly string[], key: boolean): Node | undefined {
  let node = document.contents as Node | null;
  if (!node) return undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return node;
      if (last && key && pair.key) return pair.key as Node;
      if (!pair.value) return (pair.key as Node) ?? node;
      node = pair.value as Node;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !Number.isInteger(Number(segment))) return node;
      node = item as Node;
    } else {
      return node;
    }
  }
  return node;
}

function parseError(file: string, message: string, position: SourcePosition | undefined, cause?: unknown): SwitchyardError {
  const where = position ? `${file}:${position.line}:${position.column}` : file;
  return new SwitchyardError({
    code: 'CONFIG_PARSE',
    message: `${where}: ${message}`,
    details: { file, ...(position ? { line: position.line, column: position.column } : {}) },
    cause,
  });
}

/** Resource limits for config files: each breach is one located CONFIG_PARSE line, never a hang or a stack. */
export const CONFIG_LIMITS = { maxBytes: 512 * 1024, maxDepth: 64, maxAliases: 100 } as const;

/** Bracket depth of flow collections ([ and {) outside quoted strings; block nesting is bounded by the size limit. */
function flowDepthExceeds(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quote) {
      if (char === '\\' && quote === '"') i += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || (char === "'" && /[\s[{,:]/.test(text[i - 1] ?? ' '))) quote = char;
    else if (char === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return i;
    } else if (char === ']' || char === '}') depth -= 1;
  }
  return undefined;
}

/** Duplicate keys in one walk with a Set per map (the yaml package's own check is quadratic in the map size). */
function findDuplicateKey(document: Document, limit: number): { key: string; offset: number } | { depth: number; offset: number } | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: document.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > limit) return { depth, offset: (node as Node).range?.[0] ?? 0 };
    }
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) return { key, offset: pair.key.range?.[0] ?? 0 };
          seen.add(key);
        }
        stack.push({ node: pair.value, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

function countAliases(document: Document): number {
  let count = 0;
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) count += 1;
    else if (isMap(node)) for (const pair of node.items) stack.push(pair.key, pair.value);
    else if (isSeq(node)) stack.push(...node.items);
  }
  return count;
}

/**
 * Parses YAML or JSON (by extension). JSON goes through JSON.parse for strictness; both are also read by the
 * YAML parser (JSON is YAML) to keep node ranges, so validation errors carry line:column. A leading BOM is
 * dropped; size, nesting depth and alias count are limited (CONFIG_LIMITS).
 */
export function parseConfigText(file: string, rawText: string): ConfigSource {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const bytes = Buffer.byteLength(text);
  if (bytes > CONFIG_LIMITS.maxBytes) throw parseError(file, `config file is ${bytes} bytes; the limit is ${CONFIG_LIMITS.maxBytes} bytes (512 KiB)`, undefined);
  const lineCounter = new LineCounter();
  const tooDeep = flowDepthExceeds(text, CONFIG_LIMITS.maxDepth);
  if (tooDeep !== undefined) {
    const before = text.slice(0, tooDeep);
    const line = before.split('\n').length;
    throw parseError(file, `nesting deeper than ${CONFIG_LIMITS.maxDepth} levels`, { line, column: tooDeep - before.lastIndexOf('\n') });
  }
  const isJson = file.toLowerCase().endsWith('.json');
  let document: Document;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false, strict: true });
  } catch (error) {
    throw parseError(file, `cannot parse: ${(error as Error).name}`, undefined, error);
  }
  let value: unknown;
  const structure = document.errors.length === 0 ? findDuplicateKey(document, CONFIG_LIMITS.maxDepth) : undefined;
  if (structure && 'depth' in structure) throw parseError(file, `nesting deeper than ${CONFIG_LIMITS.maxDepth} levels`, positionOf(lineCounter, structure.offset));
  if (isJson) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const match = /position (\d+)/.exec((error as Error).message);
      // Node 20's JSON.parse often omits the position; the YAML parser (JSON is YAML) usually finds the spot.
      const linePos = document.errors[0]?.linePos?.[0];
      const position = match ? positionOf(lineCounter, Number(match[1])) : linePos ? { line: linePos.line, column: linePos.col } : undefined;
      throw parseError(file, `invalid JSON: ${(error as Error).message}`, position, error);
    }
    // JSON.parse keeps the last of two equal keys without a word; a silently ignored setting is worse than an error.
    if (structure) throw parseError(file, `invalid JSON: duplicate key '${structure.key}'`, positionOf(lineCounter, structure.offset));
  } else {
    const first = document.errors[0];
    if (first) {
      const linePos = first.linePos?.[0];
      const headline = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw parseError(file, `invalid YAML: ${headline}`, linePos ? { line: linePos.line, column: linePos.col } : undefined, first);
    }
    if (structure) throw parseError(file, `invalid YAML: map keys must be unique (duplicate '${structure.key}')`, positionOf(lineCounter, structure.offset));
    const aliases = countAliases(document);
    if (aliases > CONFIG_LIMITS.maxAliases) throw parseError(file, `${aliases} aliases; the limit is ${CONFIG_LIMITS.maxAliases} (alias expansion bomb?)`, undefined);
    try {
      value = document.toJS({ maxAliasCount: CONFIG_LIMITS.maxAliases });
    } catch (error) {
      throw parseError(file, `alias expansion exceeds the limit (${CONFIG_LIMITS.maxAliases}); a YAML alias bomb?`, undefined, error);
    }
  }
  if (value === undefined || value === null) value = {};
  return {
    file,
    value,
    locate(pointer, options = {}) {
      if (document.errors.length > 0) return undefined;
      const node = findNode(document, decodePointer(pointer), options.key ?? false);
      return node?.range ? positionOf(lineCounter, node.range[0]) : undefined;
    },
  };
}
