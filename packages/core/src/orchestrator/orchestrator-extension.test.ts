import { describe, expect, it } from 'vitest';
import { createSwitchyardApp } from '../app/create-app.js';
import { definePlugin, SwitchyardError } from '@switchyard/spec';
import { FaultEngine } from './__fixtures__/fault-engine.js';
import { Orchestrator } from './orchestrator.js';
import { Executor } from '../executor/executor.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';

const plugin = definePlugin({
  name: 'doubles',
  version: '0.0.0',
  core: '*',
  configSchema: {},
  register(ctx) {
    ctx.registerEngine(new FaultEngine('double'));
  },
});

describe('orchestrator app extension', () => {
  it('exposes orchestrator and executor on the app', async () => {
    const app = await createSwitchyardApp({ config: {}, plugins: [plugin], logger: createOrchestrationLogger({ logLevel: 'silent' }) });
    try {
      expect(app.orchestrator).toBeInstanceOf(Orchestrator);
      expect(app.executor).toBeInstanceOf(Executor);
      const result = await app.orchestrator.run({ model: 'double:m', workload: 'completion', input: { kind: 'text', prompt: 'hi' } });
      expect(result.output).toEqual({ kind: 'text', text: 'double:hi' });
    } finally {
      await app.shutdown();
    }
  });

  it('a bad policy expression fails app start with the rule id and column', async () => {
    const error = await createSwitchyardApp({
      config: { policy: { rules: [{ id: 'broken', when: 'metrics.battery <', action: 'deny' }] } },
      plugins: [plugin],
      logger: createOrchestrationLogger({ logLevel: 'silent' }),
    }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'POLICY_EXPRESSION_INVALID')).toBe(true);
    expect((error as SwitchyardError).details).toMatchObject({ rule_id: 'broken', column: 18 });
  });
});
