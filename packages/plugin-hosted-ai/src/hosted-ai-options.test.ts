import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { validatePluginOptions } from '@switchyard/core';
import { rejectionOf } from '@switchyard/testkit';
import { HostedAiEngine, hostedAiModelOptionsSchema } from './index.js';

const signal = () => new AbortController().signal;
/** The schema checked as core checks it (same compiler as plugin options); the error, or undefined when valid. */
const refusal = (options: unknown) => {
  try {
    validatePluginOptions('model options', hostedAiModelOptionsSchema, options);
    return undefined;
  } catch (error) {
    return error as SwitchyardError;
  }
};
const engine = () => new HostedAiEngine({ id: 'pool-p', baseURL: 'http://127.0.0.1:1', poolId: 'p', requirements: { minTflops: 1, minVramMb: 1000 } });

describe('hostedAiModelOptionsSchema (models.overrides.<id>.options of a pool engine)', () => {
  it('lists exactly what doLoad reads: `model`, a described non-empty string; any other key refused', () => {
    expect(hostedAiModelOptionsSchema).toMatchObject({ type: 'object', additionalProperties: false });
    const properties = hostedAiModelOptionsSchema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(['model']);
    expect(properties['model']).toMatchObject({ type: 'string', minLength: 1, description: expect.stringContaining('model name') });
    expect(JSON.stringify(hostedAiModelOptionsSchema)).not.toContain('"default"');
    expect(engine().modelOptionsSchema).toBe(hostedAiModelOptionsSchema);
  });

  it('accepts a model name (or nothing)', () => {
    expect(refusal({ model: 'llama-3-8b' })).toBeUndefined();
    expect(refusal({})).toBeUndefined();
  });

  it.each([
    [{ modle: 'llama-3-8b' }, '/modle', 'unknown key "modle"'],
    [{ model: 'llama-3-8b', maxTokens: 64 }, '/maxTokens', 'unknown key "maxTokens"'],
    [{ model: true }, '/model', 'boolean true'],
    [{ model: '' }, '/model', 'string ""'],
  ])('refuses %j at %s', (options, pointer, found) => {
    expect(refusal(options)?.details['errors']).toEqual([expect.objectContaining({ pointer, found })]);
  });
});

describe('HostedAiEngine.doLoad takes the options the schema allows, and refuses the rest (an engine used without an app)', () => {
  it.each([
    [{ modle: 'llama' }, `pool-p: model 'chat' options: "modle" is not an option of this engine (it takes: model)`],
    [{ model: 'llama', gpu: 'a100', maxTokens: 64 }, `pool-p: model 'chat' options: "gpu", "maxTokens" are not options of this engine (it takes: model)`],
    [{ model: true }, `pool-p: model 'chat' options.model: expected the pool's model name (a non-empty string), found true`],
    [{ model: '' }, `pool-p: model 'chat' options.model: expected the pool's model name (a non-empty string), found ""`],
  ])('%j is CONFIG_INVALID naming the option', async (options, message) => {
    const pool = engine();
    try {
      const error = await rejectionOf(pool.doLoad({ id: 'chat', files: {}, options }, signal()));
      expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
      expect(error.message).toBe(message);
    } finally {
      await pool.close();
    }
  });
});
