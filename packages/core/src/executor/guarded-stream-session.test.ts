import { describe, expect, it } from 'vitest';
import type { ModelPipeline } from '@switchyard/spec';
import { SwitchyardError } from '@switchyard/spec';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { Executor } from './executor.js';
import { createModelCatalog } from './model-catalog.js';

/** A streaming pipeline whose chunks run one tensor call each; a chunk of -1 makes the engine fail. */
function setup(resilience: ConstructorParameters<typeof Executor>[0]['resilience'] = {}) {
  const engine = new FaultEngine('onnx');
  let runs = 0;
  engine.doRun = async (request) => {
    runs++;
    const x = (request.input as { tensors: Record<string, { data: Float32Array }> }).tensors.x!.data[0]!;
    if (x < 0) throw new SwitchyardError({ code: 'STEP_FAILED', message: 'graph failed' });
    return { output: { kind: 'tensors', tensors: { y: { type: 'float32', dims: [1], data: Float32Array.of(x * 2) } } } };
  };
  const pipeline: ModelPipeline = {
    modelId: 'vad',
    run: async () => null,
    openStream: ({ runner, signal }) => ({
      async push(chunk) {
        const out = await runner.run(undefined, { x: { type: 'float32', dims: [1], data: Float32Array.of(chunk as number) } }, signal);
        return [(out.y!.data as Float32Array)[0]!];
      },
      async close() {
        return [];
      },
    }),
  };
  const executor = new Executor({ engines: [engine], registry: createModelCatalog([{ id: 'vad', metadata: {}, pipeline, engine: 'onnx' }]), resilience });
  const target = { engine: 'onnx', model: 'vad', target: 'local' } as const;
  return { executor, target, guard: executor.guard('onnx'), runs: () => runs };
}

describe('Executor.openStream guards the session once, not each chunk', () => {
  it('holds one bulkhead slot from open to close, however many chunks run', async () => {
    const { executor, target, guard, runs } = setup({ bulkhead: { maxConcurrent: 1, maxQueue: 0 } });
    const session = await executor.openStream(target, new AbortController().signal);
    expect(guard.load).toBe(1);
    for (let i = 1; i <= 5; i++) expect(await session.push(i)).toEqual([i * 2]);
    expect(runs()).toBe(5);
    // the slot is the session's: a second session (or call) is refused while it is open
    await expect(executor.openStream(target, new AbortController().signal)).rejects.toMatchObject({ code: 'BULKHEAD_FULL' });
    await session.close();
    expect(guard.load).toBe(0);
  });

  it('gives the slot back when the session signal aborts, without counting it against the engine', async () => {
    const { executor, target, guard } = setup({ circuitBreaker: { consecutiveFailures: 1, cooldownMs: 60_000 } });
    const controller = new AbortController();
    await executor.openStream(target, controller.signal);
    expect(guard.load).toBe(1);
    controller.abort();
    expect(guard.load).toBe(0);
    expect(guard.circuitState).toBe('closed');
  });

  it('records an engine failure of a chunk on the circuit when the session ends, then refuses new sessions', async () => {
    const { executor, target, guard } = setup({ circuitBreaker: { consecutiveFailures: 1, cooldownMs: 60_000 } });
    const session = await executor.openStream(target, new AbortController().signal);
    await expect(session.push(-1)).rejects.toMatchObject({ code: 'STEP_FAILED' });
    expect(guard.circuitState).toBe('closed');
    await session.close();
    expect(guard.circuitState).toBe('open');
    await expect(executor.openStream(target, new AbortController().signal)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});
