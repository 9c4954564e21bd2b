import { SwitchyardError } from '@switchyard/core';

/**
 * An error about a value the user typed as a flag, named by that flag (`--out: codegen output ... is inside
 * node_modules`). The config pointer it may carry is left out: it is never located in a config file.
 */
export function flagError(error: SwitchyardError, flag: string): SwitchyardError {
  const { pointer: _pointer, ...details } = error.details;
  return new SwitchyardError({ code: error.code, message: `${flag}: ${error.message}`, retriable: error.retriable, details: { ...details, flag }, cause: error });
}
