import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram } from './program.js';

// Every `switchyard <command> --flag` the docs show must be a flag of that command: a doc that describes a flag that
// does not exist is a bug users find by copying it.
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'dist', '.turbo', 'CHANGELOG.md', '.changeset']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** Long flags of each command and subcommand ("route calibrate"), with their parents' and the help/version flags. */
function flagsByCommand(program: Command): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  const visit = (command: Command, path: string, inherited: Set<string>) => {
    const flags = new Set([...inherited, ...command.options.map((option) => option.long).filter((long): long is string => long !== undefined)]);
    if (path !== '') for (const name of [command.name(), ...command.aliases()]) map.set(path === command.name() ? name : path.replace(/\S+$/, name), flags);
    for (const sub of command.commands) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`, flags);
  };
  visit(program, '', new Set(['--help', '--version']));
  return map;
}

/** `switchyard <words> ...flags` uses on one line, cut at the end of the inline code or the shell command. */
export function flagUses(text: string): { words: string[]; flags: string[]; line: number }[] {
  const uses: { words: string[]; flags: string[]; line: number }[] = [];
  text.split('\n').forEach((lineText, index) => {
    for (const match of lineText.matchAll(/\bswitchyard((?:\s+[a-z][a-z-]*)+)([^`|;&]*)/g)) {
      const flags = [...match[2]!.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*)/g)].map((flag) => flag[1]!);
      uses.push({ words: match[1]!.trim().split(/\s+/), flags, line: index + 1 });
    }
  });
  return uses;
}

/** The longest command path ("route calibrate") the words start with. */
function commandOf(words: readonly string[], known: Map<string, Set<string>>): string | undefined {
  for (let n = words.length; n > 0; n--) {
    const path = words.slice(0, n).join(' ');
    if (known.has(path)) return path;
  }
  return undefined;
}

describe('docs name only flags the CLI has', () => {
  const flags = flagsByCommand(createProgram());
  const files = [join(repo, 'README.md'), join(repo, 'CONTRIBUTING.md'), ...markdownFiles(join(repo, 'docs')), ...markdownFiles(join(repo, 'examples')), ...markdownFiles(join(repo, 'packages'))];

  it('finds the uses it checks', () => {
    // The check itself must see real uses: the README's codegen --check at least.
    const all = files.flatMap((file) => flagUses(readFileSync(file, 'utf8')));
    expect(all.some((use) => commandOf(use.words, flags) === 'codegen' && use.flags.includes('--check'))).toBe(true);
    expect(flagUses('run `npx switchyard codegen --check --nope` then `switchyard route calibrate --large-share 0.2 p.jsonl`')).toEqual([
      { words: ['codegen'], flags: ['--check', '--nope'], line: 1 },
      { words: ['route', 'calibrate'], flags: ['--large-share'], line: 1 },
    ]);
    expect(commandOf(['route', 'calibrate'], flags)).toBe('route calibrate');
    expect([flags.get('codegen')!.has('--check'), flags.get('codegen')!.has('--nope'), flags.get('route calibrate')!.has('--large-share')]).toEqual([true, false, true]);
  });

  it('every `switchyard <command> --flag` in README, docs/, examples/ and package READMEs exists', () => {
    const wrong: string[] = [];
    for (const file of files) {
      for (const use of flagUses(readFileSync(file, 'utf8'))) {
        // Prose such as "switchyard is ..." names no command; only words that are commands are checked.
        const command = commandOf(use.words, flags);
        if (command === undefined) continue;
        for (const flag of use.flags) if (!flags.get(command)!.has(flag)) wrong.push(`${relative(repo, file)}:${use.line}: switchyard ${command} has no ${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
