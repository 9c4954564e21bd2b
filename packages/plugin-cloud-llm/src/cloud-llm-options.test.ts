import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { validatePluginOptions } from '@switchyard/core';
import { rejectionOf } from '@switchyard/testkit';
import { AnthropicChatEngine, OpenAiChatEngine, cloudLlmModelOptionsSchema } from './index.js';

const signal = () => new AbortController().signal;
/** The schema checked as core checks it (same compiler as plugin options); the error, or undefined when valid. */
const refusal = (options: unknown) => {
  try {
    validatePluginOptions('model options', cloudLlmModelOptionsSchema, options);
    return undefined;
  } catch (error) {
    return error as SwitchyardError;
  }
};

describe('cloudLlmModelOptionsSchema (models.overrides.<id>.options of a cloud engine)', () => {
  it('lists exactly what doLoad reads: `model`, a described non-empty string; any other key refused', () => {
    expect(cloudLlmModelOptionsSchema).toMatchObject({ type: 'object', additionalProperties: false });
    const properties = cloudLlmModelOptionsSchema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual(['model']);
    expect(properties['model']).toMatchObject({ type: 'string', minLength: 1, description: expect.stringContaining('model name') });
    expect(JSON.stringify(cloudLlmModelOptionsSchema)).not.toContain('"default"');
  });

  it('accepts a model name (or nothing)', () => {
    expect(refusal({ model: 'gpt-4o-mini' })).toBeUndefined();
    expect(refusal({})).toBeUndefined();
  });

  it.each([
    [{ modle: 'gpt-4o-mini' }, '/modle', 'unknown key "modle"'],
    [{ model: 'gpt-4o-mini', temperature: 0.2 }, '/temperature', 'unknown key "temperature"'],
    [{ model: 4 }, '/model', 'integer 4'],
    [{ model: '' }, '/model', 'string ""'],
  ])('refuses %j at %s', (options, pointer, found) => {
    const error = refusal(options);
    expect(error?.details['errors']).toEqual([expect.objectContaining({ pointer, found })]);
  });

  it('is what every cloud engine declares', () => {
    const openai = new OpenAiChatEngine({ id: 'openai', kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY' });
    const claude = new AnthropicChatEngine({ id: 'claude', kind: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' });
    expect(openai.modelOptionsSchema).toBe(cloudLlmModelOptionsSchema);
    expect(claude.modelOptionsSchema).toBe(cloudLlmModelOptionsSchema);
  });
});

describe('CloudLlmEngine.doLoad takes the options the schema allows, and refuses the rest (an engine used without an app)', () => {
  const engine = () => new OpenAiChatEngine({ id: 'vllm', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1' });

  it.each([
    [{ modle: 'gpt-x' }, `vllm: model 'chat' options: "modle" is not an option of this engine (it takes: model)`],
    [{ model: 'gpt-x', temperature: 0.2, seed: 1 }, `vllm: model 'chat' options: "temperature", "seed" are not options of this engine (it takes: model)`],
    [{ model: 4 }, `vllm: model 'chat' options.model: expected the provider's model name (a non-empty string), found 4`],
    [{ model: '' }, `vllm: model 'chat' options.model: expected the provider's model name (a non-empty string), found ""`],
  ])('%j is CONFIG_INVALID naming the option', async (options, message) => {
    const error = await rejectionOf(engine().doLoad({ id: 'chat', files: {}, options }, signal()));
    expect(SwitchyardError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toBe(message);
  });

  it('accepts a model name, and no options at all', async () => {
    const e = engine();
    await e.doLoad({ id: 'chat', files: {}, options: { model: 'gpt-x' } }, signal());
    await e.doLoad({ id: 'plain', files: {} }, signal());
  });
});
