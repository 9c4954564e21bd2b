import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definePlugin } from '@switchyard/spec';
import { fakeEngine, silentLogger } from '../../test/plugin-fixtures.js';
import { createSwitchyardApp } from './create-app.js';

const engines = definePlugin({
  name: 'two-engines',
  version: '1.0.0',
  core: '^0.1.0',
  configSchema: { type: 'object' },
  register: (context) => ['a', 'b'].forEach((id) => context.registerEngine(fakeEngine(id))),
});

async function startWith(lines: string[]) {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-engine-refs-'));
  writeFileSync(join(root, 'switchyard.config.yaml'), [...lines, ''].join('\n'));
  return createSwitchyardApp({ configPath: root, plugins: [engines], logger: silentLogger });
}

describe('every engine id the config names is checked at start (checkEngineReferences)', () => {
  it.each([
    ['a route target', ['routing:', '  routes:', '    chat: { targets: ["a:m1", "nosuch:m1"] }'], 3, '/routing/routes/chat/targets/1', 'nosuch'],
    ['a group member', ['routing:', '  routes:', '    chat:', '      targets:', '        - group: [{ engine: a, model: m }, { engine: ghost, model: m }]'], 5, '/routing/routes/chat/targets/0/group/1', 'ghost'],
    ['a classification route\'s large', ['routing:', '  routes:', '    sum: { small: "a:s", large: ["b:l", "zz:l"] }'], 3, '/routing/routes/sum/large/1', 'zz'],
    ['routing.models', ['routing:', '  models:', '    gpt: ["a:gpt", "azure:gpt"]'], 3, '/routing/models/gpt/1', 'azure'],
    ['routing.fallbacks', ['routing:', '  fallbacks: [cloud, "nosuch:x"]'], 2, '/routing/fallbacks/1', 'nosuch'],
    ['resilience.engines', ['resilience:', '  engines:', '    A: { timeoutMs: 50 }'], 3, '/resilience/engines/A', 'A'],
    ['server.admission.concurrency.engines', ['server:', '  admission:', '    concurrency: { engines: { c: 1 } }'], 3, '/server/admission/concurrency/engines/c', 'c'],
    ['engines', ['engines:', '  ghost: { enabled: false }'], 2, '/engines/ghost', 'ghost'],
  ])('%s naming an unknown engine is CONFIG_INVALID with file:line:col, the pointer and the registered engines', async (_what, lines, line, pointer, engine) => {
    const error = await startWith(lines).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { pointer, found: engine } });
    expect((error as Error).message).toMatch(new RegExp(`switchyard\\.config\\.yaml:${line}:\\d+: ${pointer}: no plugin registered an engine '${engine}' \\(registered: a, b\\)$`));
  });

  it('a routing.fallbacks entry with an empty model (`a:`) is CONFIG_INVALID like a route target', async () => {
    const error = await startWith(['routing:', '  fallbacks: ["a:"]']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { pointer: '/routing/fallbacks/0' } });
  });

  it('a routing.fallbacks entry that is neither a target kind nor engine:model (a bare engine id) is CONFIG_INVALID', async () => {
    const error = await startWith(['routing:', '  fallbacks: [b]']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { pointer: '/routing/fallbacks/0' } });
    expect((error as Error).message).toMatch(/switchyard\.config\.yaml:2:\d+: \/routing\/fallbacks\/0: expected a target kind \(local, edge, cloud\) or 'engine:model', found "b"/);
  });

  it('while a plugin is disabled, engines only it could provide may stay named: a located warning, and the rest of the chain serves', async () => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-engine-refs-'));
    const lines = ['plugins:', '  - { package: "@switchyard/plugin-cloud-llm", enabled: false }', 'resilience:', '  engines:', '    openai: { timeoutMs: 50 }', 'routing:', '  routes:', '    chat: { targets: ["openai:gpt-4o-mini", "b:m1"] }', ''];
    writeFileSync(join(root, 'switchyard.config.yaml'), lines.join('\n'));
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (_fields: unknown, message?: string) => void warnings.push(String(message)) };
    const app = await createSwitchyardApp({ configPath: root, plugins: [engines], logger });
    try {
      expect(warnings).toEqual([
        expect.stringMatching(/switchyard\.config\.yaml:5:\d+: \/resilience\/engines\/openai: no loaded plugin registered an engine 'openai' \(registered: a, b\); the disabled plugin '@switchyard\/plugin-cloud-llm' may provide it/),
        expect.stringMatching(/switchyard\.config\.yaml:8:\d+: \/routing\/routes\/chat\/targets\/0: no loaded plugin registered an engine 'openai'/),
      ]);
      const result = await app.orchestrator.run({ model: 'chat', workload: 'completion', input: { kind: 'text', prompt: 'x' } });
      expect(result.decision).toMatchObject({ engine: 'b', model: 'm1' });
    } finally {
      await app.shutdown();
    }
    // With no plugin disabled, the same name is still an error.
    await expect(startWith(['routing:', '  routes:', '    chat: { targets: ["openai:gpt-4o-mini", "b:m1"] }'])).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('a route keeps naming a disabled engine: the router leaves that target out and the rest of the chain serves', async () => {
    const app = await startWith(['engines:', '  a: { enabled: false }', 'routing:', '  routes:', '    chat: { targets: ["a:m1", "b:m1"] }']);
    try {
      const result = await app.orchestrator.run({ model: 'chat', workload: 'completion', input: { kind: 'text', prompt: 'x' } });
      expect(result.decision).toMatchObject({ engine: 'b', model: 'm1' });
      expect(result.attempts).toEqual([{ engine: 'b', model: 'm1' }]);
    } finally {
      await app.shutdown();
    }
  });
});
