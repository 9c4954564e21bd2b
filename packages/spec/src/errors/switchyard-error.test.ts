import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes.js';
import { AbortedError, InvalidInputError, NoSuchEngineError, NoSuchModelError, TimeoutError, UntrustedArtifactError } from './errors.js';
import { isAbortError, SwitchyardError, throwIfAborted, toSwitchyardError } from './switchyard-error.js';

const copies: string[] = [];
afterAll(async () => {
  for (const dir of copies) await rm(dir, { recursive: true, force: true });
});

/** Loads a second, independent copy of the error module, as a second installed @switchyard/spec would be. */
async function secondCopy(): Promise<typeof import('./switchyard-error.js')> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-spec-copy-'));
  copies.push(dir);
  await copyFile(new URL('./switchyard-error.ts', import.meta.url), join(dir, 'switchyard-error.ts'));
  await copyFile(new URL('./error-codes.ts', import.meta.url), join(dir, 'error-codes.ts'));
  return import(pathToFileURL(join(dir, 'switchyard-error.ts')).href);
}

describe('SwitchyardError', () => {
  it('carries code, retriable, retryAfterMs, details and cause', () => {
    const cause = new Error('ECONNRESET');
    const error = new SwitchyardError({ code: 'RATE_LIMITED', message: 'slow down', retriable: true, retryAfterMs: 1200, details: { engine: 'openai' }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SwitchyardError');
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({ name: 'SwitchyardError', code: 'RATE_LIMITED', message: 'slow down', retriable: true, retryAfterMs: 1200, details: { engine: 'openai' } });
  });

  it('defaults to not retriable, no details and no cause', () => {
    const error = new SwitchyardError({ code: 'INTERNAL', message: 'x' });
    expect(error.retriable).toBe(false);
    expect(error.details).toEqual({});
    expect('cause' in error).toBe(false);
    expect(error.toJSON()).not.toHaveProperty('retryAfterMs');
  });

  it('isInstance recognises errors from a second copy of the module, where instanceof fails', async () => {
    const other = await secondCopy();
    expect(other.SwitchyardError).not.toBe(SwitchyardError);
    const foreign = new other.SwitchyardError({ code: 'TIMEOUT', message: 'late' });
    expect(foreign instanceof SwitchyardError).toBe(false);
    expect(SwitchyardError.isInstance(foreign)).toBe(true);
    expect(SwitchyardError.hasCode(foreign, 'TIMEOUT')).toBe(true);
    expect(other.SwitchyardError.isInstance(new SwitchyardError({ code: 'ABORTED', message: 'x' }))).toBe(true);
    expect(toSwitchyardError(foreign)).toBe(foreign);
  });

  it('isInstance rejects look-alikes', () => {
    expect(SwitchyardError.isInstance(Object.assign(new Error('x'), { code: 'TIMEOUT', retriable: true }))).toBe(false);
    expect(SwitchyardError.isInstance(null)).toBe(false);
    expect(SwitchyardError.isInstance('TIMEOUT')).toBe(false);
    expect(SwitchyardError.hasCode(new SwitchyardError({ code: 'ABORTED', message: 'x' }), 'TIMEOUT')).toBe(false);
  });

  it('toSwitchyardError wraps plain errors and aborts', () => {
    const wrapped = toSwitchyardError(new Error('boom'), 'PROVIDER_ERROR');
    expect(wrapped).toMatchObject({ code: 'PROVIDER_ERROR', message: 'boom' });
    expect(toSwitchyardError('text')).toMatchObject({ code: 'INTERNAL', message: 'text' });
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(isAbortError(abort)).toBe(true);
    expect(toSwitchyardError(abort)).toMatchObject({ code: 'ABORTED' });
  });

  it('throwIfAborted throws ABORTED with the signal reason as cause', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal, 'run')).not.toThrow();
    controller.abort(new Error('user left'));
    expect(() => throwIfAborted(controller.signal, 'run')).toThrow(expect.objectContaining({ code: 'ABORTED', message: 'The run was aborted' }));
  });
});

describe('subclasses take one options object and keep stable names and codes', () => {
  it.each([
    [new NoSuchModelError({ modelId: 'gpt-9', available: ['a', 'b'] }), 'NoSuchModelError', 'NO_SUCH_MODEL', "No such model 'gpt-9' (available: a, b)"],
    [new NoSuchEngineError({ engineId: 'mlx' }), 'NoSuchEngineError', 'NO_SUCH_ENGINE', "No engine 'mlx' is registered"],
    [new InvalidInputError({ message: 'bad dtype', field: 'x', expected: 'float32', found: 'int64' }), 'InvalidInputError', 'INVALID_INPUT', 'bad dtype'],
    [new UntrustedArtifactError({ file: 'm.onnx', expected: 'aa', found: 'bb' }), 'UntrustedArtifactError', 'UNTRUSTED_ARTIFACT', 'sha256 mismatch for m.onnx: expected aa, found bb; the file was not loaded'],
    [new AbortedError(), 'AbortedError', 'ABORTED', 'The operation was aborted'],
    [new TimeoutError({ timeoutMs: 50, what: 'doRun' }), 'TimeoutError', 'TIMEOUT', 'doRun timed out after 50 ms'],
  ])('%s', (error, name, code, message) => {
    expect(SwitchyardError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect([error.name, error.code, error.message]).toEqual([name, code, message]);
    expect(ERROR_CODES[error.code]).toBeTypeOf('string');
  });

  it('each subclass has its own isInstance: a TimeoutError is not a NoSuchModelError', () => {
    const timeout = new TimeoutError({ timeoutMs: 5 });
    const noModel = new NoSuchModelError({ modelId: 'x' });
    expect(NoSuchModelError.isInstance(timeout)).toBe(false);
    expect(TimeoutError.isInstance(noModel)).toBe(false);
    expect(NoSuchModelError.isInstance(noModel)).toBe(true);
    expect(TimeoutError.isInstance(timeout)).toBe(true);
    expect(NoSuchEngineError.isInstance(new SwitchyardError({ code: 'NO_SUCH_ENGINE', message: 'same code, base class' }))).toBe(false);
    for (const Class of [NoSuchModelError, NoSuchEngineError, InvalidInputError, UntrustedArtifactError, AbortedError, TimeoutError]) {
      expect(Class.isInstance(new AbortedError()), Class.name).toBe(Class === AbortedError);
    }
  });

  it('subclass markers are recognised across two copies of the module', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-spec-copy-'));
    copies.push(dir);
    for (const file of ['errors.ts', 'switchyard-error.ts', 'error-codes.ts']) await copyFile(new URL(`./${file}`, import.meta.url), join(dir, file));
    const other = (await import(pathToFileURL(join(dir, 'errors.ts')).href)) as typeof import('./errors.js');
    expect(other.TimeoutError).not.toBe(TimeoutError);
    const foreign = new other.TimeoutError({ timeoutMs: 1 });
    expect(foreign instanceof TimeoutError).toBe(false);
    expect(TimeoutError.isInstance(foreign)).toBe(true);
    expect(SwitchyardError.isInstance(foreign)).toBe(true);
    expect(NoSuchModelError.isInstance(foreign)).toBe(false);
  });

  it('TimeoutError is retriable', () => {
    expect(new TimeoutError({ timeoutMs: 1 }).retriable).toBe(true);
  });
});
