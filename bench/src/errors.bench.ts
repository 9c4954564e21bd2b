/** Cost of raising a SwitchyardError (code, details, cause, marker) against a plain Error with a cause. */
import { SwitchyardError } from '@switchyard/core';
import { defineBenchmark } from '../harness.js';

export default defineBenchmark({
  name: 'errors',
  warmup: 20,
  iterations: 200,
  batch: 1000,
  setup: async () => ({ cause: new Error('socket hang up'), sink: [] as unknown[] }),
  cases: {
    switchyardError: (state) => {
      const error = new SwitchyardError({ code: 'CONNECTION_FAILED', message: 'engine openai: connection failed', retriable: true, cause: state.cause, details: { engine: 'openai' } });
      if (!SwitchyardError.isInstance(error)) throw new Error('marker lost');
      state.sink[0] = error;
    },
    plainError: (state) => {
      const error = new Error('engine openai: connection failed', { cause: state.cause });
      if (!(error instanceof Error)) throw new Error('unreachable');
      state.sink[0] = error;
    },
  },
  baseline: 'plainError',
  report: async (state) => ({ lastCode: (state.sink[0] as SwitchyardError).code ?? null }),
});
