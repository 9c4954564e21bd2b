import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
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

/**
 * Parses YAML or JSON (by extension). JSON goes through JSON.parse for strictness; both are also read by the
 * YAML parser (JSON is YAML) to keep node ranges, so validation errors carry line:column.
 */
export function parseConfigText(file: string, text: string): ConfigSource {
  const isJson = file.toLowerCase().endsWith('.json');
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, strict: true });
  let value: unknown;
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
    const duplicate = document.errors.find((e) => e.code === 'DUPLICATE_KEY');
    if (duplicate) {
      const linePos = duplicate.linePos?.[0];
      throw parseError(file, 'invalid JSON: duplicate key', linePos ? { line: linePos.line, column: linePos.col } : undefined, duplicate);
    }
  } else {
    const first = document.errors[0];
    if (first) {
      const linePos = first.linePos?.[0];
      const headline = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw parseError(file, `invalid YAML: ${headline}`, linePos ? { line: linePos.line, column: linePos.col } : undefined, first);
    }
    value = document.toJS({ maxAliasCount: 100 });
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
