import { runEngineConformance } from '../src/index.js';
import { createWordEchoEngine } from './word-echo-engine.js';

const model = { id: 'echo-model', files: {} };
const request = { modelId: 'echo-model', workload: 'completion' as const, input: { kind: 'text' as const, prompt: 'one two three four five six seven eight' } };

runEngineConformance(() => createWordEchoEngine(), { name: 'word-echo engine passes conformance', model, request });

runEngineConformance(
  () =>
    createWordEchoEngine({
      async health() {
        return { ok: false, reason: 'needs Apple Silicon' };
      },
      async doLoad() {
        throw new (await import('@switchyard/spec')).SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: 'needs Apple Silicon' });
      },
      async doRun() {
        throw new (await import('@switchyard/spec')).SwitchyardError({ code: 'ENGINE_UNAVAILABLE', message: 'needs Apple Silicon' });
      },
    }),
  { name: 'unavailable engine passes the unavailable-mode conformance', model, request, unavailable: { code: 'ENGINE_UNAVAILABLE' } },
);
