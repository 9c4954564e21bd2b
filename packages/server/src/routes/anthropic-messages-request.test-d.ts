// The Messages face handles every field of today's @anthropic-ai/sdk request types (honoured, or refused by name):
// a field the SDK gains fails this type test until the schema takes it (docs/server.md: "every field of
// MessageCreateParams"). The face may know more (sampling fields older SDKs send).
import type { MessageCountTokensParams, MessageCreateParamsBase, Tool } from '@anthropic-ai/sdk/resources/messages';
import { expectTypeOf, test } from 'vitest';
import type { countTokensRequestSchema, messagesRequestSchema, ToolKeys } from './anthropic-messages-request.js';

type Fields<T extends { properties: object }> = keyof T['properties'];

test('/v1/messages takes every field of MessageCreateParams', () => {
  expectTypeOf<keyof MessageCreateParamsBase>().toExtend<Fields<typeof messagesRequestSchema>>();
});

test('/v1/messages/count_tokens takes every field of MessageCountTokensParams', () => {
  expectTypeOf<keyof MessageCountTokensParams>().toExtend<Fields<typeof countTokensRequestSchema>>();
});

test('a tool is checked key by key for every field of the SDK Tool', () => {
  expectTypeOf<keyof Tool>().toExtend<ToolKeys>();
});
