import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RuleBasedClassifier, SwitchyardError, calibrateThreshold } from '@switchyard/core';
import { fail, print } from '../output.js';

/** Prompts from a file: JSONL (`{"prompt": ...}` or a JSON string per line), a JSON array, or plain text lines. */
export function parsePromptsFile(text: string, file: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed = JSON.parse(trimmed) as unknown[];
    return parsed.map((entry, i) => promptOf(entry, file, i + 1));
  }
  return trimmed
    .split(/\r?\n/)
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line.length > 0 && !line.startsWith('#'))
    .map(({ line, n }) => {
      if (!line.startsWith('{') && !line.startsWith('"')) return line;
      try {
        return promptOf(JSON.parse(line), file, n);
      } catch (error) {
        if (SwitchyardError.isInstance(error)) throw error;
        throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${file}:${n}: not valid JSON: ${(error as Error).message}`, details: { file, line: n } });
      }
    });
}

function promptOf(entry: unknown, file: string, line: number): string {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object' && typeof (entry as { prompt?: unknown }).prompt === 'string') return (entry as { prompt: string }).prompt;
  throw new SwitchyardError({ code: 'INVALID_INPUT', message: `${file}:${line}: expected a string or {"prompt": "..."}`, details: { file, line } });
}

export function register(program: Command): void {
  const route = program.command('route').description('routing tools');
  route
    .command('calibrate')
    .description('pick the classifier threshold that sends a given share of a prompt sample to the large model')
    .argument('<prompts>', 'prompts file: JSONL ({"prompt": ...} per line), a JSON array, or one prompt per line')
    .requiredOption('--large-share <share>', 'share of traffic for the large model, 0..1 (e.g. 0.2)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, flags: { largeShare: string; json?: boolean }, command: Command) => {
      try {
        const share = Number(flags.largeShare);
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          throw new SwitchyardError({ code: 'INVALID_INPUT', message: `cannot read prompts file ${file}: ${(error as Error).message}`, details: { file }, cause: error });
        }
        const prompts = parsePromptsFile(text, file);
        const classifier = new RuleBasedClassifier();
        const scores = prompts.map((p) => classifier.classify(p).score);
        const result = calibrateThreshold(scores, share);
        if (flags.json) {
          print(command, JSON.stringify({ ...result, largeShare: share, classifier: 'rules' }, null, 2));
        } else {
          print(
            command,
            `threshold ${result.threshold}: sends ${(result.achievedShare * 100).toFixed(1)}% of ${result.sampleSize} prompts to the large model ` +
              `(asked ${(share * 100).toFixed(1)}%)\nset it in switchyard.config.yaml: routing.routes.<name>.threshold: ${result.threshold}`,
          );
        }
      } catch (error) {
        if (SwitchyardError.isInstance(error)) fail(command, `${error.code}: ${error.message}`);
        throw error;
      }
    });
}
