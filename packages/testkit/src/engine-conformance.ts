import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineModelSpec, EngineRunRequest, EngineRunResult, EngineV1, ErrorCode } from '@switchyard/spec';
import {
  checkChatResult,
  checkEngineShape,
  checkRunResult,
  checkStreamParts,
  checkSwitchyardError,
  diffActiveResources,
  snapshotActiveResources,
} from './conformance-checks.js';
import { collectStream, streamError, within } from './stream-collect.js';
import { unusedTestServerConnections } from './test-http-server.js';

export interface EngineConformanceOptions {
  /** Suite title; defaults to `engine conformance`. */
  readonly name?: string;
  /** Runs before the factory (start a fake server, write files...). */
  readonly setup?: () => void | Promise<void>;
  /** Runs after the last test and after the leak check (close servers...). */
  readonly teardown?: () => void | Promise<void>;
  /** Releases what the engine holds beyond unload (plugin shutdown, child processes). Runs before the leak check. */
  readonly dispose?: (engine: EngineV1) => void | Promise<void>;
  /** The model the suite loads. */
  readonly model: EngineModelSpec;
  /** A request that succeeds once `model` is loaded (its modelId should be `model.id`). */
  readonly request: EngineRunRequest;
  /** A request whose stream yields several deltas (long enough to abort mid-way); defaults to `request`. `false` skips stream tests. */
  readonly streamRequest?: EngineRunRequest | false;
  /**
   * A chat request (`input.messages`): chat APIs (`/v1/chat/completions`, `orchestrator.run` with messages) reach a
   * text completion engine this way, not as `prompt`. When `request` is a text completion this defaults to it with
   * the prompt turned into `[{ role: 'system', ... }, { role: 'user', content: prompt }]`; the answer must be
   * non-empty text. `false` skips the check (say why in a comment).
   */
  readonly messagesRequest?: EngineRunRequest | false;
  /** Extra assertions on a successful doRun result. */
  readonly checkResult?: (result: EngineRunResult) => void;
  /**
   * How to provoke a failure and which codes are acceptable. Defaults to running `request` against an
   * unknown model id, expecting MODEL_NOT_LOADED or NO_SUCH_MODEL.
   */
  readonly provokeError?: { readonly description: string; readonly request: EngineRunRequest; readonly codes: readonly ErrorCode[] };
  /** Number of parallel calls in the concurrency test (default 4). */
  readonly concurrency?: number;
  /** Whether health() must report ok (default true). */
  readonly expectHealthy?: boolean;
  /**
   * Declares the engine unavailable on this machine: health() must be ok:false with a reason and
   * doLoad/doRun must fail with this code (usually ENGINE_UNAVAILABLE). The other tests are skipped.
   */
  readonly unavailable?: { readonly code: ErrorCode };
  /** Resource types (process.getActiveResourcesInfo()) allowed to grow, e.g. timers the test runner owns. */
  readonly ignoreResources?: readonly string[];
  /** How long the leak check waits for sockets/timers to close (default 2000 ms). */
  readonly leakGraceMs?: number;
  /** Upper bound for any single call, so a hanging engine fails instead of stalling the run (default 10000 ms). */
  readonly callDeadlineMs?: number;
}

/**
 * The suite's request as a chat, when it is a text completion: its prompt becomes the user message, after a short
 * system message. Engines that take tensors (text reaches them through a model's pre-processing) get no default.
 */
function messagesRequestFor(request: EngineRunRequest): EngineRunRequest | false {
  if (request.workload !== 'completion' || request.input.kind !== 'text') return false;
  if (request.input.messages !== undefined) return request;
  const messages = [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: request.input.prompt ?? 'Hello' },
  ] as const;
  return { ...request, input: { kind: 'text', messages } };
}

function fail(problems: string[], what: string): void {
  if (problems.length > 0) expect.fail(`${what}:\n  - ${problems.join('\n  - ')}`);
}

async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error ?? new Error('rejected with undefined');
  }
}

/**
 * Registers a vitest `describe` block that checks an engine against the Engine v1 contract. Call it at the
 * top level of a test file: `runEngineConformance(() => createMyEngine(...), { model, request })`.
 */
export function runEngineConformance(factory: () => EngineV1 | Promise<EngineV1>, options: EngineConformanceOptions): void {
  const deadline = options.callDeadlineMs ?? 10_000;
  const signal = () => new AbortController().signal;

  describe(options.name ?? 'engine conformance', () => {
    let engine: EngineV1;
    let before: Map<string, number>;
    let disposed = false;

    const dispose = async (): Promise<void> => {
      if (disposed) return;
      disposed = true;
      await options.dispose?.(engine);
    };

    beforeAll(async () => {
      await options.setup?.();
      before = snapshotActiveResources();
      engine = await factory();
    });

    afterAll(async () => {
      if (engine) await dispose();
      await options.teardown?.();
    });

    it('has the v1 contract shape (specificationVersion, id, capabilities, methods)', () => {
      fail(checkEngineShape(engine), 'engine shape');
    });

    if (options.unavailable) {
      const { code } = options.unavailable;
      it('health() reports ok:false with a reason', async () => {
        const health = await within(engine.health(), deadline, 'health()');
        expect(health.ok).toBe(false);
        expect(typeof health.reason === 'string' && health.reason.length > 0, 'health.reason must explain why').toBe(true);
      });
      it(`doLoad and doRun fail with ${code}`, async () => {
        fail(checkSwitchyardError(await settle(engine.doLoad(options.model, signal())), [code]), 'doLoad');
        fail(checkSwitchyardError(await settle(engine.doRun(options.request, signal())), [code]), 'doRun');
      });
      return;
    }

    it('health() resolves with a boolean ok', async () => {
      const health = await within(engine.health(), deadline, 'health()');
      expect(typeof health.ok).toBe('boolean');
      if (options.expectHealthy ?? true) expect(health, 'health() should be ok').toMatchObject({ ok: true });
    });

    it('declares the workload it is exercised with', () => {
      expect(engine.capabilities.workloads).toContain(options.request.workload);
    });

    it('loads the model', async () => {
      await within(engine.doLoad(options.model, signal()), deadline, 'doLoad()');
    });

    it('runs a request and returns a well-formed result', async () => {
      const result = await within(engine.doRun(options.request, signal()), deadline, 'doRun()');
      fail(checkRunResult(result), 'doRun result');
      options.checkResult?.(result);
    });

    const chatRequest = options.messagesRequest ?? messagesRequestFor(options.request);
    if (chatRequest) {
      it('answers a chat request given as messages (how /v1/chat/completions reaches a text completion engine)', async () => {
        const result = await within(engine.doRun(chatRequest, signal()), deadline, 'doRun() with messages');
        fail(checkChatResult(result), 'doRun result for a messages request');
      });
    }

    it('rejects with ABORTED when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();
      fail(checkSwitchyardError(await within(settle(engine.doRun(options.request, controller.signal)), deadline, 'doRun()'), ['ABORTED']), 'aborted doRun');
    });

    const provoke = options.provokeError ?? {
      description: 'a request for a model that was never loaded',
      request: { ...options.request, modelId: 'switchyard-conformance-unknown-model' },
      codes: ['MODEL_NOT_LOADED', 'NO_SUCH_MODEL'] as const,
    };
    it(`fails with a coded SwitchyardError on ${provoke.description}`, async () => {
      const error = await within(settle(engine.doRun(provoke.request, signal())), deadline, 'doRun()');
      fail(checkSwitchyardError(error, provoke.codes), provoke.description);
    });

    it('serves concurrent calls', async () => {
      const n = options.concurrency ?? 4;
      const results = await within(Promise.all(Array.from({ length: n }, () => engine.doRun(options.request, signal()))), deadline, 'concurrent doRun()');
      for (const result of results) fail(checkRunResult(result), 'concurrent doRun result');
    });

    const streamRequest = options.streamRequest === undefined ? options.request : options.streamRequest;
    if (streamRequest) {
      it('streams start, deltas and one finish with usage', async () => {
        const collected = await within(collectStream(engine.doStream(streamRequest, signal())), deadline, 'doStream()');
        if (collected.thrown !== undefined) expect.fail(`doStream threw: ${String(collected.thrown)}`);
        fail(checkStreamParts(collected.parts, streamRequest.modelId), 'stream parts');
      });

      it('ends the stream with ABORTED when the signal fires mid-stream', async () => {
        const controller = new AbortController();
        const iterator = engine.doStream(streamRequest, controller.signal)[Symbol.asyncIterator]();
        let sawDelta = false;
        let finished = false;
        let error: unknown;
        try {
          while (!finished) {
            const next = await within(iterator.next(), deadline, 'doStream() part');
            if (next.done) break;
            const part = next.value;
            if (part.type === 'error') {
              error = part.error;
              break;
            }
            if (part.type === 'finish') finished = !controller.signal.aborted;
            if (part.type === 'delta' && !sawDelta) {
              sawDelta = true;
              controller.abort();
            }
          }
        } catch (thrown) {
          error = thrown;
        } finally {
          await iterator.return?.();
        }
        expect(sawDelta, 'the stream must yield a delta before it can be aborted').toBe(true);
        if (finished) expect.fail('the stream finished normally after the signal fired; it must end with ABORTED (use a longer streamRequest if it completed before the abort)');
        fail(checkSwitchyardError(error, ['ABORTED']), 'aborted stream');
      });

      it('serves concurrent streams', async () => {
        const streams = await within(
          Promise.all([0, 1].map(() => collectStream(engine.doStream(streamRequest, signal())))),
          deadline,
          'concurrent doStream()',
        );
        for (const collected of streams) {
          expect(streamError(collected)).toBeUndefined();
          fail(checkStreamParts(collected.parts, streamRequest.modelId), 'concurrent stream parts');
        }
      });
    }

    it('unloads the model (twice without a raw error)', async () => {
      await within(engine.doUnload(options.model.id, signal()), deadline, 'doUnload()');
      const second = await within(settle(engine.doUnload(options.model.id, signal())), deadline, 'second doUnload()');
      if (second !== undefined) fail(checkSwitchyardError(second), 'second doUnload');
    });

    it('leaves no active handles behind after unload and dispose', async () => {
      await dispose();
      const grace = options.leakGraceMs ?? 2000;
      const started = Date.now();
      // Spare connections a client pool opened to a test server but never used are not the engine's handles.
      const measure = () => diffActiveResources(before, snapshotActiveResources(), options.ignoreResources, { TCPSocketWrap: unusedTestServerConnections() });
      let grown = measure();
      while (grown.length > 0 && Date.now() - started < grace) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        grown = measure();
      }
      fail(grown, 'active resources grew (leaked sockets, timers or child processes)');
    });
  });
}
