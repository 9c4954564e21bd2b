import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { toCloudLlmError } from './cloud-llm-errors.js';

/** What the openai client throws for an upstream 400 with OpenAI's error body. */
function openAi400(param: unknown, message = `Unsupported value: '${String(param)}' does not support 0.3 with this model.`): InstanceType<typeof OpenAI.APIError> {
  return OpenAI.APIError.generate(400, { error: { message, type: 'invalid_request_error', param, code: 'unsupported_value' } }, undefined, new Headers());
}

const context = { engineId: 'upstream', model: 'gpt-test', secrets: ['sk-upstream-secret-key'] };

describe('toCloudLlmError: the field an upstream 400 names (regression: param was lost, the client read null)', () => {
  it("puts OpenAI's param in details.field with INVALID_INPUT", () => {
    const error = toCloudLlmError(openAi400('temperature'), context);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.retriable).toBe(false);
    expect(error.details).toMatchObject({ engine: 'upstream', status: 400, type: 'invalid_request_error', providerCode: 'unsupported_value', field: 'temperature' });
    expect(error.message).toContain("'temperature'");
  });

  it('names a parameter the plugin sent by its GenerationParameters key, which each server face maps to its own field', () => {
    expect(toCloudLlmError(openAi400('max_completion_tokens'), context).details.field).toBe('maxTokens');
    expect(toCloudLlmError(openAi400('max_tokens'), context).details.field).toBe('maxTokens');
    expect(toCloudLlmError(openAi400('top_p'), context).details.field).toBe('topP');
    expect(toCloudLlmError(openAi400('response_format'), context).details.field).toBe('responseFormat');
  });

  it('keeps any other field path as the provider wrote it', () => {
    expect(toCloudLlmError(openAi400('messages[1].content[0].image_url'), context).details.field).toBe('messages[1].content[0].image_url');
    expect(toCloudLlmError(openAi400('tools[0].function.parameters'), context).details.field).toBe('tools[0].function.parameters');
  });

  it('drops a param that is not a plain field path, is too long, quotes a secret or is not a string', () => {
    for (const param of ['/etc/passwd', 'C:\\keys\\a.pem', 'messages[0] content', 'a'.repeat(201), 'sk-upstream-secret-key', 'x.sk-upstream-secret-key', '', null, 3, { name: 'temperature' }]) {
      const error = toCloudLlmError(openAi400(param, 'bad request'), context);
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.details).not.toHaveProperty('field');
    }
  });

  it('gives no field when the body names none (null param, an Anthropic error)', () => {
    expect(toCloudLlmError(openAi400(null, 'bad request'), context).details).not.toHaveProperty('field');
    const anthropic = Anthropic.APIError.generate(400, { type: 'error', error: { type: 'invalid_request_error', message: 'temperature: Input should be less than or equal to 1' } }, undefined, new Headers());
    const error = toCloudLlmError(anthropic, { engineId: 'claude', model: 'claude-test' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.details).not.toHaveProperty('field');
  });
});
