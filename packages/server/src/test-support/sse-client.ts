export interface ParsedFrame {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Reads an SSE response body frame by frame (for tests and the bench; speaks the real wire format). */
export async function* readSseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<ParsedFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let split: number;
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const raw = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of raw.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      const text = data.join('\n');
      yield { event, data: text === '[DONE]' ? { done: true } : (JSON.parse(text) as Record<string, unknown>) };
    }
  }
}
