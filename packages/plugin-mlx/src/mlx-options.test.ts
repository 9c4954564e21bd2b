import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { validatePluginOptions } from '@switchyard/core';
import { rejectionOf } from '@switchyard/testkit';
import { MlxEngine, mlxModelOptionsSchema } from './index.js';

const STAND_IN = fileURLToPath(new URL('../test/mlx-stand-in.mjs', import.meta.url));
const signal = () => new AbortController().signal;
/** The schema checked as core checks it (same compiler as plugin options); the error, or undefined when valid. */
const refusal = (options: unknown) => {
  try {
    validatePluginOptions('model options', mlxModelOptionsSchema, options);
    return undefined;
  } catch (error) {
    return error as SwitchyardError;
  }
};

describe('mlxModelOptionsSchema (models.overrides.<id>.options of the MLX engine)', () => {
  it('lists exactly what doLoad reads: `model`, a described non-empty string; any other key refused', () => {
    expect(mlxModelOptionsSchema).toMatchObject({ type: 'object', additionalProperties: false });
    const properties = mlxModelOptionsSchema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(['model']);
    expect(properties['model']).toMatchObject({ type: 'string', minLength: 1, description: expect.stringContaining('model name') });
    expect(JSON.stringify(mlxModelOptionsSchema)).not.toContain('"default"');
    expect(new MlxEngine({ url: 'http://127.0.0.1:1' }).modelOptionsSchema).toBe(mlxModelOptionsSchema);
  });

  it('accepts a model name (or nothing)', () => {
    expect(refusal({ model: 'mlx-community/Llama-3.2-1B-Instruct-4bit' })).toBeUndefined();
    expect(refusal({})).toBeUndefined();
  });

  it.each([
    [{ modle: 'mlx-community/x' }, '/modle', 'unknown key "modle"'],
    [{ model: 'mlx-community/x', port: 8080 }, '/port', 'unknown key "port"'],
    [{ model: 7 }, '/model', 'integer 7'],
    [{ model: '' }, '/model', 'string ""'],
  ])('refuses %j at %s', (options, pointer, found) => {
    expect(refusal(options)?.details['errors']).toEqual([expect.objectContaining({ pointer, found })]);
  });
});

describe('MlxEngine.doLoad takes the options the schema allows, and refuses the rest before starting a server', () => {
  it.each([
    [{ modle: 'mlx-community/x' }, `mlx: model 'chat' options: "modle" is not an option of this engine (it takes: model)`],
    [{ model: 'mlx-community/x', port: 8080, url: 'http://x' }, `mlx: model 'chat' options: "port", "url" are not options of this engine (it takes: model)`],
    [{ model: 7 }, `mlx: model 'chat' options.model: expected the server's model name (a non-empty string), found 7`],
    [{ model: '' }, `mlx: model 'chat' options.model: expected the server's model name (a non-empty string), found ""`],
  ])('%j is CONFIG_INVALID naming the option', async (options, message) => {
    const engine = new MlxEngine({ model: 'mlx-community/stand-in-4bit', command: [process.execPath, STAND_IN], requireAppleSilicon: false });
    try {
      const error = await rejectionOf(engine.doLoad({ id: 'chat', files: {}, options }, signal()));
      expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
      expect(error.message).toBe(message);
      expect(engine.supervisor!.state).toBe('idle');
    } finally {
      await engine.close();
    }
  });
});
