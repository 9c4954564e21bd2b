import { describe, expect, it } from 'vitest';
import { ApiKeyAuth } from './api-key-auth.js';

describe('ApiKeyAuth', () => {
  it('accepts configured keys only, whatever their length', () => {
    const auth = new ApiKeyAuth(['sk-one', 'a-much-longer-second-key']);
    expect(auth.enabled).toBe(true);
    expect(auth.verify('sk-one')).toBe(true);
    expect(auth.verify('a-much-longer-second-key')).toBe(true);
    expect(auth.verify('sk-on')).toBe(false);
    expect(auth.verify('sk-one ')).toBe(false);
    expect(auth.verify('')).toBe(false);
    expect(auth.verify(undefined)).toBe(false);
  });

  it('reads Bearer and X-API-Key headers', () => {
    expect(ApiKeyAuth.keyFrom({ authorization: 'Bearer abc' })).toBe('abc');
    expect(ApiKeyAuth.keyFrom({ authorization: 'bearer abc' })).toBe('abc');
    expect(ApiKeyAuth.keyFrom({ authorization: 'Basic abc' })).toBeUndefined();
    expect(ApiKeyAuth.keyFrom({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(new ApiKeyAuth([]).enabled).toBe(false);
  });
});

describe('ApiKeyAuth scopes', () => {
  it('gives admin keys the admin scope and user keys the user scope', () => {
    const auth = new ApiKeyAuth(['user-key'], ['admin-key']);
    expect(auth.scopeOf('user-key')).toBe('user');
    expect(auth.scopeOf('admin-key')).toBe('admin');
    expect(auth.scopeOf('other')).toBe('none');
    expect(auth.verify('admin-key')).toBe(true);
    expect(new ApiKeyAuth([], ['admin-only']).enabled).toBe(true);
  });
});
