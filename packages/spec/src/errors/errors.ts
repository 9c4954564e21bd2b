import { SwitchyardError } from './switchyard-error.js';

/** Subclasses for the errors apps most often branch on. Each takes one options object. */
export class NoSuchModelError extends SwitchyardError {
  readonly modelId: string;
  constructor(options: { modelId: string; available?: readonly string[] }) {
    const hint = options.available?.length ? ` (available: ${options.available.join(', ')})` : '';
    super({ code: 'NO_SUCH_MODEL', message: `No such model '${options.modelId}'${hint}`, details: { modelId: options.modelId } });
    this.name = 'NoSuchModelError';
    this.modelId = options.modelId;
  }
}

export class NoSuchEngineError extends SwitchyardError {
  readonly engineId: string;
  constructor(options: { engineId: string; available?: readonly string[] }) {
    const hint = options.available?.length ? ` (registered: ${options.available.join(', ')})` : '';
    super({ code: 'NO_SUCH_ENGINE', message: `No engine '${options.engineId}' is registered${hint}`, details: { engineId: options.engineId } });
    this.name = 'NoSuchEngineError';
    this.engineId = options.engineId;
  }
}

export class InvalidInputError extends SwitchyardError {
  constructor(options: { message: string; modelId?: string; step?: string; field?: string; expected?: string; found?: string; cause?: unknown }) {
    const { message, cause, ...details } = options;
    super({ code: 'INVALID_INPUT', message, details, cause });
    this.name = 'InvalidInputError';
  }
}

export class UntrustedArtifactError extends SwitchyardError {
  constructor(options: { file: string; expected: string; found: string }) {
    super({
      code: 'UNTRUSTED_ARTIFACT',
      message: `sha256 mismatch for ${options.file}: expected ${options.expected}, found ${options.found}; the file was not loaded`,
      details: options,
    });
    this.name = 'UntrustedArtifactError';
  }
}

export class AbortedError extends SwitchyardError {
  constructor(options: { message?: string; cause?: unknown } = {}) {
    super({ code: 'ABORTED', message: options.message ?? 'The operation was aborted', cause: options.cause });
    this.name = 'AbortedError';
  }
}

export class TimeoutError extends SwitchyardError {
  constructor(options: { timeoutMs: number; what?: string }) {
    super({ code: 'TIMEOUT', message: `${options.what ?? 'The call'} timed out after ${options.timeoutMs} ms`, retriable: true, details: options });
    this.name = 'TimeoutError';
  }
}
