import { SwitchyardError } from '@switchyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type SwitchyardServer } from '../create-server.js';
import { OrchestratorDouble } from '../test-support/orchestrator-double.js';

// What /v1/responses makes of input items: parts in order, developer turns marked, unknown item keys refused by pointer.
let server: SwitchyardServer;
const double = new OrchestratorDouble({
  m: {},
  'bad-first-turn': { error: new SwitchyardError({ code: 'UNSUPPORTED', message: "Model 'x' on engine 'e' does not support this content", details: { field: 'messages[0].content' } }) },
  'no-images': { error: new SwitchyardError({ code: 'UNSUPPORTED', message: "Model 'x' on engine 'e' does not support image content", details: { field: 'messages[1].content' } }) },
  // Core's structured-output errors name the chat field `response_format`.
  'bad-schema': { error: new SwitchyardError({ code: 'INVALID_INPUT', message: "'response_format' is not a valid JSON Schema", details: { field: 'response_format' } }) },
  'bad-output': { tokens: ['{', '"a"'], failAfterTokens: 1, error: new SwitchyardError({ code: 'OUTPUT_INVALID', message: "the answer does not match 'response_format'", details: { field: 'response_format' } }) },
});
beforeAll(async () => {
  server = await createServer({ orchestrator: double, env: {}, defaultMetrics: false });
});
afterAll(() => server.close({ deadlineMs: 50 }));

const post = (body: Record<string, unknown>) => server.app.inject({ method: 'POST', url: '/v1/responses', payload: { model: 'm', store: false, ...body } });

describe('/v1/responses input items reach the engine whole', () => {
  it('keeps input_text/input_image in order, developer turns in place and refusal parts as the refusal', async () => {
    const response = await post({
      instructions: 'be brief',
      input: [
        { role: 'developer', content: 'dev rule' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Image A: ' },
            { type: 'input_image', image_url: 'https://x/a.png', detail: 'low' },
            { type: 'input_text', text: 'Which?' },
          ],
        },
        { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'sure', annotations: [] }, { type: 'refusal', refusal: 'not that' }] },
      ],
    });
    expect(response.statusCode).toBe(200);
    expect(double.calls.at(-1)!.request.input).toEqual({
      kind: 'text',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'system', content: 'dev rule', developer: true },
        {
          role: 'user',
          content: 'Image A: \nWhich?',
          images: [{ url: 'https://x/a.png', detail: 'low' }],
          parts: [{ type: 'text', text: 'Image A: ' }, { type: 'image', url: 'https://x/a.png', detail: 'low' }, { type: 'text', text: 'Which?' }],
        },
        { role: 'assistant', content: 'sure', refusal: 'not that' },
      ],
    });
  });

  it('refuses unknown keys on items and parts (INVALID_PARAMS) and known ones no engine takes (UNSUPPORTED, droppable)', async () => {
    const bogus = await post({ input: [{ role: 'user', content: 'x', bogus: 1 }] });
    expect(bogus.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/input/0/bogus' } });
    const partKey = await post({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'x', cache_control: {} }] }] });
    expect(partKey.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/input/0/content/0/cache_control' } });
    const phase = { input: [{ role: 'assistant', content: 'x', phase: 'commentary' }, { role: 'user', content: 'y' }] };
    expect((await post(phase)).json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'input[0].phase' } });
    const dropped = await post({ ...phase, drop_params: true });
    expect(dropped.statusCode).toBe(200);
    expect(dropped.headers['x-switchyard-dropped-params']).toBe('input[0].phase');
    const original = await post({ input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/a.png', detail: 'original' }] }] });
    expect(original.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'input[0].content[0].detail' } });
  });

  it('a message item without content, or a function_call_output without output, is a 400 naming it (not an empty turn)', async () => {
    for (const [input, param] of [
      [[{ type: 'message', role: 'user' }], 'input[0].content'],
      [[{ role: 'user', content: 'x' }, { role: 'assistant', content: null }], 'input[1].content'],
      [[{ role: 'user', content: 'x' }, { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' }, { type: 'function_call_output', call_id: 'c1' }], 'input[2].output'],
    ] as const) {
      const response = await post({ input });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'INVALID_PARAMS', error: { param } });
    }
  });

  it("an echoed answer's annotations and logprobs on output_text are output-only: accepted and ignored; other shapes named", async () => {
    const citation = { type: 'url_citation', start_index: 0, end_index: 5, title: 'Weather', url: 'https://example.test/oslo' };
    const logprob = { token: 'Sunny', logprob: -0.1, bytes: [83], top_logprobs: [] };
    const echoed = (part: Record<string, unknown>) => post({ input: [{ type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Sunny.', ...part }] }, { role: 'user', content: 'and tomorrow?' }] });
    const response = await echoed({ annotations: [citation], logprobs: [logprob] });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['x-switchyard-dropped-params']).toBeUndefined();
    expect(double.calls.at(-1)!.request.input).toEqual({ kind: 'text', messages: [{ role: 'assistant', content: 'Sunny.' }, { role: 'user', content: 'and tomorrow?' }] });
    expect((await echoed({ annotations: 'cited' })).json()).toMatchObject({ code: 'INVALID_PARAMS', details: { field: 'input[0].content[0].annotations' } });
    // Only an answer's text carries them: on a user's input_text they are not a field.
    const onInput = await post({ input: [{ role: 'user', content: [{ type: 'input_text', text: 'x', annotations: [citation] }] }] });
    expect(onInput.json()).toMatchObject({ code: 'INVALID_PARAMS', details: { pointer: '/input/0/content/0/annotations' } });
  });

  it('names stream_options.include_obfuscation, not stream_options', async () => {
    const response = await post({ input: 'x', stream_options: { include_obfuscation: true } });
    expect(response.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'stream_options.include_obfuscation' } });
  });

  it('an engine-side refusal of a turn names the input item it came from', async () => {
    const response = await post({ model: 'no-images', instructions: 'i', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/a.png' }] }] });
    expect(response.json()).toMatchObject({ code: 'UNSUPPORTED', details: { field: 'input[0].content' } });
  });
});

describe('/v1/responses names its own fields in errors core reports under chat names', () => {
  const format = { type: 'json_schema', name: 'x', schema: { type: 'object' } };
  it('an invalid text.format schema and OUTPUT_INVALID carry param text.format (answer and stream error event)', async () => {
    const schema = await post({ model: 'bad-schema', input: 'x', text: { format } });
    expect(schema.statusCode).toBe(400);
    expect(schema.json()).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'text.format' }, error: { param: 'text.format' } });
    expect(schema.json().message).toContain("'text.format'");
    const output = await post({ model: 'bad-output', input: 'x', text: { format } });
    expect(output.statusCode).toBe(502);
    expect(output.json()).toMatchObject({ code: 'OUTPUT_INVALID', details: { field: 'text.format' }, error: { param: 'text.format' } });
    const stream = await post({ model: 'bad-output', input: 'x', text: { format }, stream: true });
    const error = stream.body.split('\n\n').find((frame) => frame.startsWith('event: error'));
    expect(JSON.parse(error!.split('data: ')[1]!)).toMatchObject({ code: 'OUTPUT_INVALID', param: 'text.format' });
  });

  it('a field of the turn a string input became is named as input itself', async () => {
    const response = await post({ model: 'bad-first-turn', input: 'x' });
    expect(response.json()).toMatchObject({ details: { field: 'input' }, error: { param: 'input' } });
  });

  it("reasoning.effort takes the SDK's values, 'max' included", async () => {
    const response = await post({ input: 'x', reasoning: { effort: 'max' } });
    expect(response.statusCode, response.body).toBe(200);
    expect(double.calls.at(-1)!.request.parameters?.reasoningEffort).toBe('max');
  });
});
