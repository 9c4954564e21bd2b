import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '@switchyard/spec';
import { fakeEngine, silentLogger } from '../../test/plugin-fixtures.js';
import { createSwitchyardApp } from '../app/create-app.js';
import { compilePolicyExpression, parsePolicyExpression } from './policy-expression.js';

describe('policy `when` paths are checked whole against the documented scope', () => {
  it.each([
    ['request.modle == "x"', "unknown field 'request.modle' (request has request.model, request.workload, request.target, request.tags; did you mean 'request.model'?) at column 9"],
    ['input.txt matches "a"', "unknown field 'input.txt' (input has input.kind, input.text, input.length; did you mean 'input.text'?) at column 7"],
    ['request.model.name == "x"', "'request.model' has no fields (found 'request.model.name') at column 15"],
    ['metrics.battery.level < 3', "'metrics.battery' has no fields (found 'metrics.battery.level') at column 17"],
  ])('%s is POLICY_EXPRESSION_INVALID naming the field and its column', (when, message) => {
    expect(() => compilePolicyExpression(when, 'r', '/policy/rules/0/when')).toThrow(`/policy/rules/0/when: rule 'r': ${message} in \`${when}\``);
  });

  it('accepts every documented path, and any single metrics name', () => {
    for (const when of ['input.kind == "text" and input.text != "" and input.length > 1', 'request.model in ["a"] or request.workload == "x" or request.target == "cloud" or request.tags contains "p"', 'metrics.network_rtt > 1 and metrics.anything_else == true']) {
      expect(() => parsePolicyExpression(when)).not.toThrow();
    }
  });

  it('a misspelt path in a config rule fails app start with file:line:col', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-policy-path-'));
    writeFileSync(join(root, 'switchyard.config.yaml'), ['policy:', '  rules:', '    - id: typo', '      when: \'request.modle == "x"\'', '      action: deny', ''].join('\n'));
    const plugin = definePlugin({ name: 'one', version: '1.0.0', core: '^0.1.0', configSchema: { type: 'object' }, register: (context) => context.registerEngine(fakeEngine('a')) });
    const error = await createSwitchyardApp({ configPath: root, plugins: [plugin], logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'POLICY_EXPRESSION_INVALID', details: { rule_id: 'typo', line: 4 } });
    expect((error as Error).message).toMatch(/switchyard\.config\.yaml:4:\d+: \/policy\/rules\/0\/when: rule 'typo': unknown field 'request\.modle'/);
  });
});
