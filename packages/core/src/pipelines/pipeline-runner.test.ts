import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '@switchyard/spec';
import { createOrchestrator } from '../orchestrator/create-orchestrator.js';
import { FaultEngine } from '../orchestrator/__fixtures__/fault-engine.js';
import { createOrchestrationLogger } from '../telemetry/orchestration-logger.js';
import { compilePipelineText } from './pipeline-loader.js';
import { runPipeline } from './pipeline-runner.js';

const silent = createOrchestrationLogger({ logLevel: 'silent' });

function setup() {
  const local = new FaultEngine('local', { slowRate: 1, slowMs: 5 });
  const broken = new FaultEngine('broken', { failRate: 1 }, { targets: ['cloud'] });
  const backup = new FaultEngine('backup', {}, { targets: ['cloud'] });
  const orchestrator = createOrchestrator({ engines: [local, broken, backup], logger: silent, config: { resilience: { retry: { maxAttempts: 1 } } } });
  return { orchestrator, local, broken, backup };
}

describe('pipeline loading', () => {
  it.each([
    ['stages: []\nname: x\n', 'p.yaml:1:9: /stages: expected at least 1 item(s)'],
    ['name: x\nstages:\n  - id: a\n', 'p.yaml:3:5: /stages/0: expected property "model"'],
    ['name: x\nstages:\n  - id: a\n    model: m\n    target: moon\n', 'p.yaml:5:13: /stages/0/target: expected one of'],
    ['name: x\nstages:\n  - {id: a, model: m, needs: [b]}\n  - {id: b, model: m, needs: [a]}\n', 'stages form a cycle: a -> b -> a'],
    ['name: x\nstages:\n  - {id: a, model: m, needs: [zz]}\n', "p.yaml:3:31: /stages/0/needs/0: unknown stage 'zz'"],
    ['name: x\nstages:\n  - {id: a, model: m}\n  - {id: a, model: m}\n', "duplicate stage id 'a'"],
    ['name: x\nstages:\n  - {id: a, model: m, when: "stages.a.text =="}\n', '/stages/0/when: expression ends too early at column 17'],
    ['name: x\nstages:\n  - {id: a, model: m, when: "input.kind == 1"}\n', "unknown name 'input'"],
    ['name: x\nstages:\n  - {id: ocr, model: m}\n  - {id: b, model: m, when: \'stages.ocr.txt != ""\'}\n', "/stages/1/when: unknown field 'stages.ocr.txt' (a stage has text, value, status; did you mean 'text'?)"],
    ['name: x\nstages:\n  - {id: ocr, model: m}\n  - {id: b, model: m, when: \'stages.orc.text != ""\'}\n', "unknown stage 'stages.orc' (stages: ocr, b; did you mean 'ocr'?)"],
    ['name: x\ninputs: {doc: {kind: text}}\nstages:\n  - {id: a, model: m, when: \'inputs.dco != ""\'}\n', "unknown input 'inputs.dco' (inputs: doc; did you mean 'doc'?)"],
    ['name: x\nstages:\n  - {id: a, model: m, prompt: "{{#if x}}open"}\n', '/stages/0/prompt: invalid template'],
    ['name: x\nstages: [\n', 'invalid YAML'],
  ])('rejects %j', (text, message) => {
    let error: unknown;
    try {
      compilePipelineText(text, 'p.yaml');
    } catch (e) {
      error = e;
    }
    expect(SwitchyardError.hasCode(error, 'PIPELINE_INVALID')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});

describe('runPipeline', () => {
  it('runs stages sequentially by default, feeding each output to the next through templates', async () => {
    const { orchestrator } = setup();
    const pipeline = compilePipelineText(
      ['name: seq', 'inputs: {topic: {kind: text}}', 'stages:', '  - {id: a, model: "local:m", prompt: "about {{inputs.topic}}"}', '  - {id: b, model: "local:m", prompt: "then {{stages.a.text}}"}'].join('\n'),
      'seq.yaml',
    );
    const result = await runPipeline(orchestrator, pipeline, { inputs: { topic: 'rivers' } });
    expect(result.stages.b!.text).toBe('local:then local:about rivers');
    expect(result.output?.id).toBe('b');
  });

  it('parallel fan-out with a failing optional branch: the others complete, dependents of the failure are skipped', async () => {
    const { orchestrator, local } = setup();
    const pipeline = compilePipelineText(
      [
        'name: fan',
        'maxParallelism: 2',
        'stages:',
        '  - {id: root, model: "local:m", prompt: "doc"}',
        '  - {id: left, model: "local:m", prompt: "L {{stages.root.text}}", needs: [root]}',
        '  - {id: bad, model: "broken:m", prompt: "B", needs: [root], optional: true}',
        '  - {id: right, model: "local:m", prompt: "R", needs: [root]}',
        '  - {id: after_bad, model: "local:m", prompt: "x {{stages.bad.text}}", needs: [bad]}',
        '  - {id: join, model: "local:m", prompt: "{{stages.left.text}}|{{stages.right.text}}", needs: [left, right]}',
      ].join('\n'),
      'fan.yaml',
    );
    const events: string[] = [];
    orchestrator.events.on('StageError', (e) => events.push(`error:${e.stage}:${e.code}`));
    const result = await runPipeline(orchestrator, pipeline);
    expect(Object.fromEntries(Object.entries(result.stages).map(([k, v]) => [k, v.status]))).toEqual({
      root: 'completed', left: 'completed', bad: 'failed', right: 'completed', after_bad: 'skipped', join: 'completed',
    });
    expect(result.stages.bad!.error?.code).toBe('OVERLOADED');
    expect(result.stages.after_bad!.reason).toBe("needs 'bad' which failed");
    expect(result.stages.join!.text).toBe('local:local:L local:doc|local:R');
    expect(events).toEqual(['error:bad:OVERLOADED']);
    expect(local.maxActive).toBeLessThanOrEqual(2);
    expect(local.maxActive).toBe(2);
  });

  it('a required stage failure fails the pipeline with the stage named', async () => {
    const { orchestrator } = setup();
    const pipeline = compilePipelineText('name: f\nstages:\n  - {id: a, model: "broken:m", prompt: "x"}\n  - {id: b, model: "local:m", prompt: "y"}\n', 'f.yaml');
    const error = await runPipeline(orchestrator, pipeline).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'OVERLOADED')).toBe(true);
    expect((error as SwitchyardError).details).toMatchObject({ pipeline: 'f', stage: 'a' });
  });

  it('per-stage fallback and retry, when conditions', async () => {
    const { orchestrator, broken } = setup();
    const pipeline = compilePipelineText(
      [
        'name: fb',
        'stages:',
        '  - {id: a, model: "broken:m", prompt: "x", fallback: ["backup:m"], retry: {maxAttempts: 3}}',
        '  - {id: b, model: "local:m", prompt: "y", when: "stages.a.text contains \\"nothing\\""}',
        '  - {id: c, model: "local:m", prompt: "z", needs: [a], when: "stages.a.text contains \\"backup\\""}',
      ].join('\n'),
      'fb.yaml',
    );
    const result = await runPipeline(orchestrator, pipeline);
    expect(result.stages.a!.text).toBe('backup:x');
    expect(result.stages.a!.decision?.source).toBe('fallback');
    expect(broken.calls).toBe(3);
    expect(result.stages.b!.status).toBe('skipped');
    expect(result.stages.c!.status).toBe('completed');
  });

  it('reports a missing input clearly', async () => {
    const { orchestrator } = setup();
    const pipeline = compilePipelineText('name: i\ninputs: {image: {kind: image, description: "a scanned page"}}\nstages:\n  - {id: a, model: "local:m", input: inputs.image}\n', 'i.yaml');
    await expect(runPipeline(orchestrator, pipeline)).rejects.toThrow("pipeline 'i' needs input 'image' (image): a scanned page");
  });

  // Regression: an input the pipeline does not declare was ignored and the run exited 0.
  describe('refuses inputs the pipeline does not declare', () => {
    const text = 'name: r\ninputs:\n  image: {kind: image}\n  note: {kind: text, description: "a remark"}\nstages:\n  - {id: a, model: "local:m", prompt: "{{inputs.note}}"}\n';
    const image = { kind: 'image', data: new Uint8Array([1]) };
    const refusal = async (inputs: Record<string, unknown>, source = text) => {
      const error = await runPipeline(setup().orchestrator, compilePipelineText(source, 'r.yaml'), { inputs }).catch((e: unknown) => e);
      expect(SwitchyardError.hasCode(error, 'INVALID_INPUT')).toBe(true);
      return error as SwitchyardError;
    };

    it('names the unknown input and the declared ones', async () => {
      const error = await refusal({ image, note: 'hi', bogus: 'hello' });
      expect(error.message).toBe("pipeline 'r' has no input 'bogus'; it declares 'image', 'note'");
      expect(error.details).toMatchObject({ file: 'r.yaml', field: 'inputs.bogus', expected: 'image, note', found: 'bogus' });
    });

    it('names every unknown input', async () => {
      expect((await refusal({ image, note: 'hi', bogus: 1, other: 2 })).message).toBe("pipeline 'r' has no inputs 'bogus', 'other'; it declares 'image', 'note'");
    });

    it('suggests the declared input a missing one was probably meant as', async () => {
      const error = await refusal({ image, noet: 'hi' });
      expect(error.message).toBe("pipeline 'r' needs input 'note' (given 'noet': did you mean 'note'?) (text): a remark");
      expect(error.details).toMatchObject({ field: 'inputs.note', found: 'noet' });
    });

    it('mentions an unknown input next to a missing one that it does not resemble', async () => {
      expect((await refusal({ image, bogus: 'hi' })).message).toBe("pipeline 'r' needs input 'note' (given 'bogus', which it does not declare) (text): a remark");
    });

    it('refuses a typo of an input that has a default (it would run with the default)', async () => {
      const withDefault = text.replace('description: "a remark"', 'default: "none"');
      expect((await refusal({ image, noet: 'hi' }, withDefault)).message).toBe("pipeline 'r' has no input 'noet' (did you mean 'note'?); it declares 'image', 'note'");
    });

    it('takes any input when the pipeline declares none', async () => {
      const free = compilePipelineText('name: f\nstages:\n  - {id: a, model: "local:m", prompt: "{{inputs.x}}"}\n', 'f.yaml');
      const result = await runPipeline(setup().orchestrator, free, { inputs: { x: 'one', y: 'two' } });
      expect(result.stages.a!.text).toBe('local:one');
    });
  });

  it('cancellation stops the run', async () => {
    const { orchestrator } = setup();
    const hanging = compilePipelineText('name: h\nstages:\n  - {id: a, model: "local:m", prompt: "x"}\n', 'h.yaml');
    const controller = new AbortController();
    controller.abort();
    const error = await runPipeline(orchestrator, hanging, { signal: controller.signal }).catch((e: unknown) => e);
    expect(SwitchyardError.hasCode(error, 'ABORTED')).toBe(true);
  });
});
