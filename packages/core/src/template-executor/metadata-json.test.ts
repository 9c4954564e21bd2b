import { describe, expect, it } from 'vitest';
import { MetadataInvalidError } from './metadata-invalid-error.js';
import { parseMetadataJson } from './metadata-json.js';

describe('parseMetadataJson', () => {
  it('locates invalid JSON by line and column, not by character offset', () => {
    const error = (() => {
      try {
        parseMetadataJson('{\n  "model_id": "x",\n  }\n', 'models/x/model_metadata.json');
      } catch (e) {
        return e;
      }
    })();
    expect(MetadataInvalidError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid model metadata: models\/x\/model_metadata\.json: \(root\) is not valid JSON at line 3, column 3: /);
    expect(message).not.toMatch(/position/);
  });

  it('locates a truncated file at its end', () => {
    expect(() => parseMetadataJson('{\n  "model_id": "x",', 'm.json')).toThrow(/m\.json: \(root\) is not valid JSON at line 2, column 19/);
  });

  it('returns the parsed value', () => {
    expect(parseMetadataJson('{"a":1}', 'm.json')).toEqual({ a: 1 });
  });
});
