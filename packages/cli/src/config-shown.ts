import { isAbsolute } from 'node:path';

/**
 * How the CLI names a config file in messages: as the user typed it, relative to the current folder unless the path
 * was absolute (also when no path was typed and the config was found in the current folder).
 */
export function shownRelativeTo(typed: string | undefined): { relativeTo?: string } {
  return typed !== undefined && isAbsolute(typed) ? {} : { relativeTo: process.cwd() };
}
