import { createHash, timingSafeEqual } from 'node:crypto';

/** What a presented key may do: `admin` adds catalog, pool and artifact writes to everything `user` may do. */
export type KeyScope = 'none' | 'user' | 'admin';

/** Query parameters that look like credentials; a key there would end up in access logs and browser history. */
export const KEY_QUERY_PARAMS = ['api_key', 'apikey', 'api-key', 'key', 'access_token', 'token', 'auth', 'authorization', 'x-api-key'];

/**
 * Checks API keys in constant time: both sides are hashed to 32 bytes first, so neither the key length nor
 * a common prefix leaks through timing. Only the digests are kept.
 */
export class ApiKeyAuth {
  private readonly userDigests: Buffer[];
  private readonly adminDigests: Buffer[];

  constructor(keys: readonly string[], adminKeys: readonly string[] = []) {
    this.userDigests = keys.map(digest);
    this.adminDigests = adminKeys.map(digest);
  }

  get enabled(): boolean {
    return this.userDigests.length + this.adminDigests.length > 0;
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
    return this.scopeOf(candidate) !== 'none';
  }

  /** Compares against every key of both sets (no early exit), then answers the widest scope matched. */
  scopeOf(candidate: string | undefined): KeyScope {
    if (candidate === undefined) return 'none';
    const presented = digest(candidate);
    let user = false;
    let admin = false;
    for (const known of this.userDigests) user = timingSafeEqual(known, presented) || user;
    for (const known of this.adminDigests) admin = timingSafeEqual(known, presented) || admin;
    return admin ? 'admin' : user ? 'user' : 'none';
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
