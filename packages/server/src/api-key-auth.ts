import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks API keys in constant time: both sides are hashed to 32 bytes first, so neither the key length nor
 * a common prefix leaks through timing. Only the digests are kept.
 */
export class ApiKeyAuth {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** Reads `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
  static keyFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
    const authorization = headers.authorization;
    if (typeof authorization === 'string') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (match) return match[1];
    }
    const apiKey = headers['x-api-key'];
    return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
  }

  verify(candidate: string | undefined): boolean {
    if (candidate === undefined) return false;
    const presented = digest(candidate);
    let matched = false;
    for (const known of this.digests) matched = timingSafeEqual(known, presented) || matched;
    return matched;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
