import { SwitchyardError } from '@switchyard/spec';

/** One located problem in a model_metadata.json. */
export interface MetadataIssue {
  /** The file as given (e.g. `models/ocr/model_metadata.json`). */
  readonly file: string;
  /** JSON pointer into the file ('' = the whole document). */
  readonly pointer: string;
  /** What is wrong, e.g. `must be > 0`. */
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
}

export function formatMetadataIssue(issue: MetadataIssue): string {
  const where = issue.pointer === '' ? '(root)' : issue.pointer;
  const detail =
    issue.expected !== undefined || issue.found !== undefined
      ? ` (expected ${issue.expected ?? '?'}, found ${issue.found ?? 'nothing'})`
      : '';
  return `${issue.file}: ${where} ${issue.message}${detail}`;
}

const METADATA_INVALID_ERROR_MARKER: unique symbol = Symbol.for('switchyard.error.MetadataInvalidError');

/** METADATA_INVALID carrying every issue found (not just the first). */
export class MetadataInvalidError extends SwitchyardError {
  private readonly [METADATA_INVALID_ERROR_MARKER] = true;

  /** True only for a MetadataInvalidError (from any installed copy). */
  static override isInstance(error: unknown): error is MetadataInvalidError {
    return SwitchyardError.hasMarker(error, METADATA_INVALID_ERROR_MARKER);
  }

  readonly issues: readonly MetadataIssue[];
  constructor(options: { issues: readonly MetadataIssue[]; cause?: unknown }) {
    const lines = options.issues.map(formatMetadataIssue);
    // One problem = one line (what a CLI prints); several = one line each under a heading.
    const message = lines.length === 1 ? `Invalid model metadata: ${lines[0]}` : `Invalid model metadata (${lines.length} problems):\n  ${lines.join('\n  ')}`;
    super({
      code: 'METADATA_INVALID',
      message,
      details: { issues: options.issues, file: options.issues[0]?.file, pointer: options.issues[0]?.pointer },
      cause: options.cause,
    });
    this.name = 'MetadataInvalidError';
    this.issues = options.issues;
  }
}
