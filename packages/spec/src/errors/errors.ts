import { SwitchyardError } from './switchyard-error.js';

/**
 * Subclasses for the errors apps most often branch on. Each takes one options object and has its own global
 * marker, so `NoSuchModelError.isInstance(new TimeoutError(...))` is false.
 */
const NO_SUCH_MODEL_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.NoSuchModelError');

export class NoSuchModelError extends SwitchyardError {
  private readonly [NO_SUCH_MODEL_ERROR_MARKER] = true;

  /** True only for a NoSuchModelError (from any installed copy), not for other SwitchyardErrors. */
  static override isInstance(error: unknown): error is NoSuchModelError {
    return SwitchyardError.hasMarker(error, NO_SUCH_MODEL_ERROR_MARKER);
  }

  readonly modelId: string;
  constructor(options: { modelId: string; available?: readonly string[] }) {
    const hint = options.available?.length ? ` (available: ${options.available.join(', ')})` : '';
    super({ code: 'NO_SUCH_MODEL', message: `No such model '${options.modelId}'${hint}`, details: { modelId: options.modelId } });
    this.name = 'NoSuchModelError';
    this.modelId = options.modelId;
  }
}

const NO_SUCH_ENGINE_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.NoSuchEngineError');

export class NoSuchEngineError extends SwitchyardError {
  private readonly [NO_SUCH_ENGINE_ERROR_MARKER] = true;

  /** True only for a NoSuchEngineError (from any installed copy), not for other SwitchyardErrors. */
  static override isInstance(error: unknown): error is NoSuchEngineError {
    return SwitchyardError.hasMarker(error, NO_SUCH_ENGINE_ERROR_MARKER);
  }

  readonly engineId: string;
  constructor(options: { engineId: string; available?: readonly string[] }) {
    const hint = options.available?.length ? ` (registered: ${options.available.join(', ')})` : '';
    super({ code: 'NO_SUCH_ENGINE', message: `No engine '${options.engineId}' is registered${hint}`, details: { engineId: options.engineId } });
    this.name = 'NoSuchEngineError';
    this.engineId = options.engineId;
  }
}

const INVALID_INPUT_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.InvalidInputError');

export class InvalidInputError extends SwitchyardError {
  private readonly [INVALID_INPUT_ERROR_MARKER] = true;

  /** True only for a InvalidInputError (from any installed copy), not for other SwitchyardErrors. */
  static override isInstance(error: unknown): error is InvalidInputError {
    return SwitchyardError.hasMarker(error, INVALID_INPUT_ERROR_MARKER);
  }

  constructor(options: { message: string; modelId?: string; step?: string; field?: string; expected?: string; found?: string; cause?: unknown }) {
    const { message, cause, ...details } = options;
    super({ code: 'INVALID_INPUT', message, details, cause });
    this.name = 'InvalidInputError';
  }
}

const UNTRUSTED_ARTIFACT_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.UntrustedArtifactError');

export class UntrustedArtifactError extends SwitchyardError {
  private readonly [UNTRUSTED_ARTIFACT_ERROR_MARKER] = true;

  /** True only for a UntrustedArtifactError (from any installed copy), not for other SwitchyardErrors. */
  static override isInstance(error: unknown): error is UntrustedArtifactError {
    return SwitchyardError.hasMarker(error, UNTRUSTED_ARTIFACT_ERROR_MARKER);
  }

  constructor(options: { file: string; expected: string; found: string }) {
    super({
      code: 'UNTRUSTED_ARTIFACT',
      message: `sha256 mismatch for ${options.file}: expected ${options.expected}, found ${options.found}; the file was not loaded`,
      details: options,
    });
    this.name = 'UntrustedArtifactError';
  }
}

const ABORTED_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.AbortedError');

export class AbortedError extends SwitchyardError {
  private readonly [ABORTED_ERROR_MARKER] = true;

  /** True only for a AbortedError (from any installed copy), not for other SwitchyardErrors. */
  static override isInstance(error: unknown): error is AbortedError {
    return SwitchyardError.hasMarker(error, ABORTED_ERROR_MARKER);
  }

  constructor(options: { message?: string; cause?: unknown } = {}) {
    super({ code: 'ABORTED', message: options.message ?? 'The operation was aborted', cause: options.cause });
    this.name = 'AbortedError';
  }
}

const TIMEOUT_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.TimeoutError');

export class TimeoutError extends SwitchyardError {
  private readonly [TIMEOUT_ERROR_MARKER] = true;

  /** True only for a TimeoutError (from any installed copy), not for other SwitchyardErrors. */
  static override isInstance(error: unknown): error is TimeoutError {
    return SwitchyardError.hasMarker(error, TIMEOUT_ERROR_MARKER);
  }

  constructor(options: { timeoutMs: number; what?: string }) {
    super({ code: 'TIMEOUT', message: `${options.what ?? 'The call'} timed out after ${options.timeoutMs} ms`, retriable: true, details: options });
    this.name = 'TimeoutError';
  }
}
