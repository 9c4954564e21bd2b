/** A JSON value as a TypeScript literal with sorted keys (deterministic output). */
export function tsLiteral(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((key) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key)}: ${tsLiteral((value as Record<string, unknown>)[key])}`);
    return `{ ${entries.join(', ')} }`;
  }
  if (typeof value === 'number' && Object.is(value, -0)) return '0';
  return JSON.stringify(value);
}
