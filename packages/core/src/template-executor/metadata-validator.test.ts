import { describe, expect, it } from 'vitest';
import { validateModelMetadata } from './metadata-validator.js';

const base = { model_id: 'm', version: '1', execution_template: { type: 'Onnx', model_file: 'm.onnx' }, files: ['m.onnx'] };

describe('validateModelMetadata: hostile files', () => {
  it('refuses metadata nested 10,000 deep with one located issue instead of overflowing the stack', () => {
    const deep = JSON.parse('{"metadata":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000) + '}') as object;
    const result = validateModelMetadata({ ...base, ...deep }, { file: 'deep/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ file: 'deep/model_metadata.json', message: 'nests deeper than 64 levels' });
    expect(result.issues[0]!.pointer.startsWith('/metadata/a/a')).toBe(true);
  });

  it.each(['/etc/passwd', '../../..', 'a/../../b', '..\\x'])('refuses the file name %s with a pointer', (name) => {
    const result = validateModelMetadata({ ...base, files: ['m.onnx', name] }, { file: 'x/model_metadata.json' });
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(expect.objectContaining({ file: 'x/model_metadata.json', pointer: '/files/1' }));
  });
});
