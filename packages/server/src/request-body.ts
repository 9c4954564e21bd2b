import { PassThrough, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';
import { httpError } from './http-error.js';

const DECODERS: Readonly<Record<string, () => Gunzip | ReturnType<typeof createBrotliDecompress>>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The request payload as the JSON parser should read it: a `Content-Encoding: gzip|deflate|br` body decoded, identity
 * as is, any other encoding a 400 naming it. The decoded bytes count against `limitBytes`: past it the decoder is
 * stopped and destroyed at once (a few KB of brotli can inflate to gigabytes: nothing keeps inflating after the 413),
 * and so it is when the client goes away. `receivedEncodedLength` lets Fastify check Content-Length against the
 * bytes received.
 */
export function decodedPayload(encoding: string | undefined, payload: Readable, limitBytes: number): Readable {
  if (encoding === undefined) return payload;
  const name = encoding.trim().toLowerCase();
  if (name === '' || name === 'identity') return payload;
  const decoder = DECODERS[name]?.();
  if (!decoder) {
    throw httpError('INVALID_PARAMS', `Content-Encoding '${encoding.slice(0, 40)}' is not accepted (send the body as is, or gzip, deflate or br)`, {
      details: { field: 'content-encoding', expected: 'gzip, deflate, br or identity' },
    });
  }
  const decoded = Object.assign(new PassThrough(), { receivedEncodedLength: 0 });
  let decodedBytes = 0;
  const count = (chunk: Buffer): void => {
    decoded.receivedEncodedLength += chunk.length;
  };
  let stopped = false;
  const stop = (error?: Error): void => {
    if (stopped) return;
    stopped = true;
    // Nothing reads the rest of the body into the decoder (Node discards what is left once the answer is sent).
    payload.off('data', count);
    payload.unpipe(decoder);
    payload.pause();
    decoder.unpipe(decoded);
    decoder.destroy();
    if (error) decoded.destroy(error);
  };
  payload.on('data', count);
  payload.on('error', (error) => stop(error));
  decoder.on('data', (chunk: Buffer) => {
    decodedBytes += chunk.length;
    if (decodedBytes > limitBytes) {
      stop(httpError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes once decoded (Content-Encoding: ${name})`, { details: { limitBytes } }));
    }
  });
  decoder.on('error', () => stop(httpError('INVALID_PARAMS', `body: not valid ${name} data (Content-Encoding: ${name})`, { details: { field: 'content-encoding' } })));
  // Fastify stops reading at its own limit or on an error without destroying the stream: stop the decoder then too.
  decoded.on('close', () => stop());
  payload.pipe(decoder).pipe(decoded);
  return decoded;
}

/** The JSON pointer of the first `__proto__` key, or `constructor.prototype`, in parsed JSON (JSON.parse makes them plain own keys). */
export function poisonedKeyPointer(value: unknown, pointer = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = poisonedKeyPointer(item, `${pointer}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (key === '__proto__') return `${pointer}/__proto__`;
    if (key === 'constructor' && typeof item === 'object' && item !== null && Object.hasOwn(item, 'prototype')) return `${pointer}/constructor/prototype`;
    const found = poisonedKeyPointer(item, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The answer to a body the prototype-poisoning guard refused: which key, and where. */
export function poisonedKeyError(text: string): Error | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const pointer = poisonedKeyPointer(parsed);
  if (pointer === undefined) return undefined;
  const key = pointer.endsWith('/__proto__') ? '__proto__' : 'constructor.prototype';
  return httpError('INVALID_PARAMS', `body${pointer}: the key '${key}' is refused in request bodies (it could replace an object's prototype); rename it`, {
    details: { field: 'body', pointer, found: key },
  });
}
