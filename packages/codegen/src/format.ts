import { format } from 'prettier';

/** One formatting for every generated file, applied before comparing (so --check ignores nothing but content). */
export const PRETTIER_OPTIONS = { parser: 'typescript', singleQuote: true, printWidth: 120, trailingComma: 'all' } as const;

export function formatTypeScript(source: string): Promise<string> {
  return format(source, PRETTIER_OPTIONS);
}
