import { InvalidArgumentError } from 'commander';

/**
 * The parser of a repeatable option (`--dir a --dir b`): one value per flag, so the flag never takes the command's
 * positional arguments after it; an empty value is refused (it would silently mean "the default").
 */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return [...(previous ?? []), value];
}

/** The parser of a single-value option whose empty value would silently mean "not given" (`--config ""`). */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty.');
  return value;
}
