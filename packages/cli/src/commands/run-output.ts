/** A model output as plain JSON: typed arrays become number arrays, bigints numbers. */
export function toJsonValue(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  return value;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

/**
 * Human text for an output, by its shape (never by model id): text lines one per line, speech segments one per line,
 * anything else as JSON.
 */
export function formatModelOutput(output: unknown): string {
  const value = output as { lines?: unknown; segments?: unknown; duration_ms?: unknown; text?: unknown } | null;
  if (value && Array.isArray(value.lines) && value.lines.every((l) => typeof (l as { text?: unknown }).text === 'string')) {
    return (value.lines as { text: string }[]).map((l) => l.text).join('\n') || '(no text found)';
  }
  if (value && Array.isArray(value.segments)) {
    const segments = value.segments as { start_ms: number; end_ms: number }[];
    if (segments.length === 0) return typeof value.duration_ms === 'number' ? `no speech in ${(value.duration_ms / 1000).toFixed(2)} s of audio` : 'no speech';
    return segments.map((s) => `${seconds(s.start_ms)} - ${seconds(s.end_ms)}  speech`).join('\n');
  }
  if (value && typeof value.text === 'string' && Object.keys(value).length === 1) return value.text;
  return JSON.stringify(toJsonValue(output), null, 2);
}
