import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, redactPaths, redactUrl, registerPrivateRoot } from './redaction.js';

describe('redaction', () => {
  it('masks credential query values in logged URLs', () => {
    expect(redactUrl('/v1/models?api_key=short-key&x=1')).toBe('/v1/models?api_key=[redacted]&x=1');
    expect(redactUrl('/v1/models?API%5FKEY=short-key')).toBe('/v1/models?API%5FKEY=[redacted]');
    expect(redactUrl('/v1/models?token=abc&key=def')).toBe('/v1/models?token=[redacted]&key=[redacted]');
  });

  it('replaces server paths, keeps route paths and URLs', () => {
    registerPrivateRoot('/models-root');
    expect(redactPaths("no file at /etc/shadow")).toBe('no file at <path>');
    expect(redactPaths("looked from /models-root/m and /proc/self/environ")).toBe('looked from <path> and <path>');
    expect(redactPaths('No route GET /v2/nope')).toBe('No route GET /v2/nope');
    expect(redactPaths('url http://127.0.0.1:9/tmp/x.onnx')).toBe('url http://127.0.0.1:9/tmp/x.onnx');
    expect(redactPaths('at C:\\Users\\me\\m.onnx')).toBe('at <path>');
    expect(redactPaths('file /application.json')).toBe('file /application.json');
  });

  it('measures JSON depth outside strings', () => {
    expect(jsonDepthExceeds('['.repeat(10) + ']'.repeat(10), 10)).toBe(false);
    expect(jsonDepthExceeds('['.repeat(11) + ']'.repeat(11), 10)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ a: '[[[[[[[[[[[[' }), 2)).toBe(false);
  });
});
