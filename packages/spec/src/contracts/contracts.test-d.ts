import { expectTypeOf, test } from 'vitest';
import type { AbortCheck, CallCancellation, CallOptions, CallSignal, ChatMessage, EngineStreamPart, EngineTokenCount, EngineV1, JsonSchema, OrchestratorApi, PluginContext, SwitchyardPlugin, Workload } from './index.js';
import { abortSignalOf, definePlugin, type Cancellation } from './index.js';

test('definePlugin infers the options type for register/initialize', () => {
  const plugin = definePlugin<{ threads: number }>({
    name: 'p',
    version: '1.0.0',
    core: '^0.1.0',
    configSchema: { type: 'object' },
    register(context) {
      expectTypeOf(context.options.threads).toEqualTypeOf<number>();
      expectTypeOf(context.registerEngine).parameter(0).toEqualTypeOf<EngineV1>();
    },
  });
  expectTypeOf(plugin).toEqualTypeOf<SwitchyardPlugin<{ threads: number }>>();
  expectTypeOf<PluginContext['baseDir']>().toEqualTypeOf<string>();
});

test('engine spec v1 is versioned and stream parts are a discriminated union', () => {
  expectTypeOf<EngineV1['specificationVersion']>().toEqualTypeOf<'v1'>();
  expectTypeOf<Workload>().toEqualTypeOf<'completion' | 'embedding' | 'inference' | 'transcription' | 'stream'>();
  expectTypeOf<Extract<EngineStreamPart, { type: 'finish' }>>().toHaveProperty('usage');
  expectTypeOf<EngineStreamPart['type']>().toEqualTypeOf<'start' | 'delta' | 'metrics' | 'tool-call-start' | 'tool-call-delta' | 'tool-call-end' | 'finish' | 'error'>();
  expectTypeOf<Extract<EngineStreamPart, { type: 'tool-call-delta' }>>().toHaveProperty('argumentsDelta');
  // v1 chat messages stay assignable: a plain {role, content} is still a ChatMessage.
  expectTypeOf<{ role: 'user'; content: string }>().toMatchTypeOf<ChatMessage>();
  expectTypeOf<ReturnType<EngineV1['doStream']>>().toEqualTypeOf<AsyncIterable<EngineStreamPart>>();
});

test('doRunChecked is optional (v1 engines without it stay EngineV1) and an AbortSignal is no AbortCheck', () => {
  expectTypeOf<Omit<EngineV1, 'doRunChecked'>>().toMatchTypeOf<EngineV1>();
  expectTypeOf<AbortSignal>().not.toMatchTypeOf<AbortCheck>();
  expectTypeOf<AbortCheck['signal']>().toEqualTypeOf<AbortSignal>();
});

test('doCountTokens is optional (engines without it stay EngineV1) and answers an input token count', () => {
  expectTypeOf<Omit<EngineV1, 'doCountTokens'>>().toMatchTypeOf<EngineV1>();
  expectTypeOf<ReturnType<NonNullable<EngineV1['doCountTokens']>>>().toEqualTypeOf<Promise<EngineTokenCount>>();
  expectTypeOf<EngineTokenCount['inputTokens']>().toEqualTypeOf<number>();
  expectTypeOf<Omit<OrchestratorApi, 'countTokens'>>().toMatchTypeOf<OrchestratorApi>();
});

test('modelOptionsSchema is optional (engines without it stay EngineV1) and is a JSON Schema', () => {
  expectTypeOf<Omit<EngineV1, 'modelOptionsSchema'>>().toMatchTypeOf<EngineV1>();
  expectTypeOf<NonNullable<EngineV1['modelOptionsSchema']>>().toEqualTypeOf<JsonSchema>();
});

test('a call signal is an AbortSignal or a Cancellation; a CallCancellation is no AbortSignal', () => {
  expectTypeOf<AbortSignal>().toMatchTypeOf<CallSignal>();
  expectTypeOf<Cancellation>().toMatchTypeOf<CallSignal>();
  expectTypeOf<CallOptions['signal']>().toEqualTypeOf<CallSignal | undefined>();
  expectTypeOf<CallCancellation>().not.toMatchTypeOf<AbortSignal>();
  expectTypeOf(abortSignalOf).returns.toEqualTypeOf<AbortSignal>();
});
