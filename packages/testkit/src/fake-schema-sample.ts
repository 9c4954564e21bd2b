/**
 * A deterministic value that satisfies a (simple) JSON Schema: what the fake upstreams answer for tool arguments
 * and `response_format: json_schema`, so tests can check the exact value that came back.
 */
export function sampleFromSchema(schema: unknown, name = 'value'): unknown {
  if (typeof schema !== 'object' || schema === null) return name;
  const s = schema as Record<string, unknown>;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[key])) return sampleFromSchema((s[key] as unknown[])[0], name);
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sampleFromSchema(value, key)]));
    }
    case 'array':
      return [sampleFromSchema(s.items, name)];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 42;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return `${name}-1`;
  }
}
