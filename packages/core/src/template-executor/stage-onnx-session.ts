import type { MetadataIssue } from './metadata-invalid-error.js';
import { describeFound } from './metadata-issue-format.js';

/** ONNX Runtime graph optimisation levels a stage may ask for. */
export const GRAPH_OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;

/** Session settings a ModelGraph stage may set in its `config.onnx` (over the ONNX plugin's options for that stage). */
export interface StageOnnxSession {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: (typeof GRAPH_OPTIMIZATION_LEVELS)[number];
}

/** The keys of StageOnnxSession: anything else under `config.onnx` is refused (a typo would change nothing). */
export const STAGE_ONNX_SESSION_KEYS: readonly (keyof StageOnnxSession)[] = ['intraOpNumThreads', 'interOpNumThreads', 'graphOptimizationLevel'];

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Every problem of a stage's `config.onnx` (`configPointer` is the stage's `/config`), each located: the one check
 * of these settings, run by the metadata validator (codegen, the interpreter) and by the ONNX engine at load.
 */
export function stageOnnxSessionIssues(config: unknown, configPointer: string, file: string): MetadataIssue[] {
  if (!isRecord(config) || config['onnx'] === undefined) return [];
  const raw = config['onnx'];
  const pointer = `${configPointer}/onnx`;
  if (!isRecord(raw)) return [{ file, pointer, message: 'must be an object of ONNX session settings', expected: `an object with ${STAGE_ONNX_SESSION_KEYS.join(', ')}`, found: describeFound(raw) }];
  const issues: MetadataIssue[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const at = `${pointer}/${escape(key)}`;
    if (key === 'intraOpNumThreads' || key === 'interOpNumThreads') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        issues.push({ file, pointer: at, message: "must be an integer >= 0 (0 = onnxruntime's default)", expected: 'integer >= 0', found: describeFound(value) });
      }
    } else if (key === 'graphOptimizationLevel') {
      if (!GRAPH_OPTIMIZATION_LEVELS.includes(value as StageOnnxSession['graphOptimizationLevel'] & string)) {
        issues.push({ file, pointer: at, message: 'is not a graph optimization level', expected: `one of ${GRAPH_OPTIMIZATION_LEVELS.join(' | ')}`, found: describeFound(value) });
      }
    } else {
      issues.push({ file, pointer: at, message: 'is not an ONNX session setting', expected: `one of ${STAGE_ONNX_SESSION_KEYS.join(', ')}`, found: describeFound(key) });
    }
  }
  return issues;
}
