import { stepNeedsFiles, stepParams, type ModelMetadata, type PlannedStep } from '@switchyard/core';
import type { ChainPlan, StagePlan } from '@switchyard/core';
import { fixedReshapeDims, normalizeExpression, normalizeFold, softmaxTopKFold, wavStreamFusion, type NormalizeFold } from './fold-steps.js';
import { modelNames, type ModelNames } from './model-names.js';
import { tsLiteral } from './ts-literal.js';

/** A step factory call the pipeline module makes once (at import, or per files map for steps reading files). */
interface StepConst {
  readonly name: string;
  readonly step: PlannedStep;
  readonly needsFiles: boolean;
}


/**
 * Writes a model's pipeline module as a person would: one factory call per step (commented with its place in the
 * metadata), then `run` threading typed values `v1, v2, ...` through them, so tsc checks every link of the chain.
 */
export function emitPipeline(options: {
  readonly banner: string;
  readonly metadata: ModelMetadata;
  readonly names: ModelNames;
  readonly plan: ChainPlan;
}): string {
  const { metadata, names, plan, banner } = options;
  const imports = new Set<string>(['createPipelineFrame']);
  const consts: StepConst[] = [];
  const constFor = (step: PlannedStep, prefix: string): StepConst => {
    imports.add(`create${step.type}Step`);
    const phase = step.phase === 'preprocessing' ? 'Pre' : 'Post';
    const name = prefix ? `${prefix}${phase}${step.index}` : `${phase.toLowerCase()}${step.index}`;
    const entry = { name, step, needsFiles: stepNeedsFiles(stepParams(step)) };
    // A step reading files is built per files map: `<name>ForFiles` at module level, `<name>` inside run().

    consts.push(entry);
    return entry;
  };
  const pre = plan.pre.map((s) => constFor(s, ''));
  const stages = plan.stages.map((stage) => {
    const prefix = stage.name === undefined ? 'graph' : modelNames(stage.name).camel;
    return { stage, prefix, pre: stage.pre.map((s) => constFor(s, prefix)), post: stage.post.map((s) => constFor(s, prefix)) };
  });
  const post = plan.post.map((s) => constFor(s, ''));

  const body: string[] = [];
  let counter = 0;
  const call = (c: StepConst, value: string): string => `await ${c.name}(${value}, frame)`;
  /** Module-level loops of folded Normalize steps. */
  const folded: string[] = [];
  const foldLoop = (c: StepConst, fold: NormalizeFold): string => {
    const fn = `${c.name}Folded`;
    folded.push(
      `// ${c.step.label}, folded: ${normalizeExpression(fold, 'x')} per element`,
      `function ${fn}(data: Float32Array): Float32Array {`,
      '  const out = new Float32Array(data.length);',
      `  for (let i = 0; i < data.length; i++) out[i] = ${normalizeExpression(fold, 'data[i]!')};`,
      '  return out;',
      '}',
    );
    imports.add('isPlainFloat32Tensor');
    return fn;
  };
  const thread = (lines: string[], steps: readonly StepConst[], value: string, next: () => string): string => {
    let v = value;
    for (let i = 0; i < steps.length; i++) {
      const c = steps[i]!;
      const following = steps[i + 1];
      const dims = following && !c.needsFiles ? fixedReshapeDims(c.step) : undefined;
      const fusedFold = dims && !following!.needsFiles ? normalizeFold(following!.step) : undefined;
      const fold = c.needsFiles ? undefined : normalizeFold(c.step);
      const fusedTopK = following && !c.needsFiles && !following.needsFiles ? softmaxTopKFold(c.step, following.step) : undefined;
      const out = next();
      if (fusedTopK) {
        // Softmax + TopK: one pass per row for a float32 tensor over its last axis, else the two steps.
        imports.add('fusedSoftmaxTopK');
        imports.add('isPlainFloat32Tensor');
        const dimArg = (dim: number | undefined): string => (dim === undefined ? 'undefined' : String(dim));
        const args = [dimArg(fusedTopK.softmaxDim), dimArg(fusedTopK.topKDim), String(fusedTopK.k), ...(fusedTopK.labels ? [tsLiteral(fusedTopK.labels)] : [])];
        lines.push(
          `// ${c.step.label} + ${following!.step.label}, fused: the ${fusedTopK.k} best of a softmax over a float32 tensor's last axis, else the two steps`,
          `const ${out} = (isPlainFloat32Tensor(${v}) ? fusedSoftmaxTopK(${v}, ${args.join(', ')}) : undefined) ?? ${call(following!, call(c, v))};`,
        );
        i += 1;
      } else if (dims && fusedFold) {
        // Reshape to fixed dims + folded Normalize: one loop over a float32 tensor of exactly that many values.
        const count = dims.reduce((a, b) => a * b, 1);
        const fn = foldLoop(following!, fusedFold);
        lines.push(
          `// ${c.step.label} + ${following!.step.label}: a float32 tensor of ${count} values in one loop, else the two steps`,
          `const ${out} = isPlainFloat32Tensor(${v}) && ${v}.data.length === ${count} ? { type: 'float32' as const, dims: ${tsLiteral(dims)}, data: ${fn}(${v}.data) } : ${call(following!, `${call(c, v)}`)};`,
        );
        i += 1;
      } else if (fold) {
        const fn = foldLoop(c, fold);
        lines.push(
          `// ${c.step.label}: a float32 tensor in one loop, else the step`,
          `const ${out} = isPlainFloat32Tensor(${v}) ? { type: 'float32' as const, dims: [...${v}.dims], data: ${fn}(${v}.data) } : ${call(c, v)};`,
        );
      } else {
        lines.push(`const ${out} = ${call(c, v)};`);
      }
      v = out;
    }
    return v;
  };
  const fresh = (): string => `v${++counter}`;
  const streams: { name: string; stage: StagePlan }[] = [];
  // A trailing VadWavDecode fused into the stream stage right after it (the first stage: nothing runs between them).
  const decode = pre[pre.length - 1];
  const first = stages[0];
  const wavFused = decode && first && !decode.needsFiles && wavStreamFusion(decode.step, first.stage) ? decode : undefined;
  let value = thread(body, wavFused ? pre.slice(0, -1) : pre, 'input', fresh);
  const disabledBefore = (index: number): void => {
    for (const d of plan.disabled) if (d.index < index && !said.has(d.index)) {
      said.add(d.index);
      body.push(`// stage ${d.name}: disabled (config.enabled = false)`);
    }
  };
  const said = new Set<number>();
  for (const { stage, prefix, pre: stagePre, post: stagePost } of stages) {
    disabledBefore(stage.index);
    const title = stage.name === undefined ? `graph (${stage.modelFile})` : `stage ${stage.name} (${stage.modelFile})`;
    const infer = (lines: string[], input: string, out: string): void => {
      lines.push(`throwIfAborted(context.signal, 'pipeline run');`);
      imports.add('throwIfAborted');
      if (stage.stream) {
        const stream = `${prefix}Stream`;
        streams.push({ name: stream, stage });
        imports.add('StatefulStreamStage');
        lines.push(`const ${out} = await ${stream}.runAll(${input}, context.runner, context.signal, frame);`);
        return;
      }
      imports.add('toGraphFeeds');
      imports.add('fromGraphOutputs');
      const nameArg = stage.name === undefined ? 'undefined' : JSON.stringify(stage.name);
      const feeds = `toGraphFeeds(${input}, ${tsLiteral(stage.inputs)}, MODEL_ID${stage.name === undefined ? '' : `, ${nameArg}`})`;
      lines.push(`const ${out} = fromGraphOutputs(await context.runner.run(${nameArg}, ${feeds}, context.signal), ${tsLiteral(stage.outputs)}, frame);`);
    };
    if (wavFused && stage === first!.stage) {
      const stream = `${prefix}Stream`;
      streams.push({ name: stream, stage });
      imports.add('StatefulStreamStage');
      imports.add('vadWavPcm16Samples');
      imports.add('throwIfAborted');
      const pcm = `${wavFused.name}Pcm16`;
      const out = fresh();
      const run = (samples: string, method: string): string => `await ${stream}.${method}(${samples}, context.runner, context.signal, frame)`;
      body.push(`// ${wavFused.step.label} + ${title}: a mono PCM16 WAV converted window by window into the graph's input, else the step then the stage`);
      body.push(`const ${pcm} = vadWavPcm16Samples(${value}, ${tsLiteral(stepParams(wavFused.step))});`);
      body.push(`throwIfAborted(context.signal, 'pipeline run');`);
      body.push(`const ${out} = ${pcm} ? ${run(pcm, 'runAllPcm16')} : ${run(call(wavFused, value), 'runAll')};`);
      value = thread(body, stagePost, out, fresh);
    } else if (stage.batchSize !== undefined) {
      imports.add('runStageBatched');
      const out = fresh();
      const inner: string[] = [];
      let b = 0;
      const freshB = (): string => `b${++b}`;
      let part = thread(inner, stagePre, 'items', freshB);
      const graphOut = freshB();
      infer(inner, part, graphOut);
      part = thread(inner, stagePost, graphOut, freshB);
      inner.push(`return ${part};`);
      body.push(`// ${title}, ${stage.batchSize} items per run`);
      body.push(`const ${out} = await runStageBatched(${value}, ${stage.batchSize}, frame, async (items) => {`, ...inner.map((l) => `  ${l}`), '});');
      value = out;
    } else {
      value = thread(body, stagePre, value, fresh);
      const out = fresh();
      body.push(`// ${title}`);
      infer(body, value, out);
      value = thread(body, stagePost, out, fresh);
    }
  }
  value = thread(body, post, value, fresh);
  disabledBefore(Number.POSITIVE_INFINITY);
  body.push(`return ${value};`);

  const needsNoFiles = consts.some((c) => !c.needsFiles);
  if (consts.some((c) => c.needsFiles)) imports.add('memoiseStepForFiles');
  const header = [
    banner,
    `import { ${[...imports].sort().join(', ')} } from '@switchyard/core';`,
    `import type { ModelPipeline } from '@switchyard/core';`,
    `import type { ${names.pascal}Input, ${names.pascal}Output } from '../registry.js';`,
    '',
    `const MODEL_ID = ${JSON.stringify(metadata.model_id)};`,
    ...(needsNoFiles ? [`const NO_FILES: Readonly<Record<string, string>> = Object.freeze({});`] : []),
    '',
  ];
  const factories = consts.flatMap((c) => {
    const env = (files: string): string => `{ modelId: MODEL_ID, step: ${JSON.stringify(c.step.label)}, files: ${files} }`;
    const params = tsLiteral(stepParams(c.step));
    return [
      `// ${c.step.label}`,
      c.needsFiles
        ? `const ${c.name}ForFiles = memoiseStepForFiles((files) => create${c.step.type}Step(${params}, ${env('files')}));`
        : `const ${c.name} = await create${c.step.type}Step(${params}, ${env('NO_FILES')});`,
    ];
  });
  const streamConsts = streams.map(({ name, stage }) => `const ${name} = new StatefulStreamStage(${tsLiteral(stage.stream)}, MODEL_ID, ${JSON.stringify(stage.name)});`);
  const description = (metadata.description ?? metadata.model_id).replace(/\*\//g, '*\\/');
  const firstStream = streams[0];
  // A stream session feeds each window's result through the steps after the stream stage (built per files map).
  const streamStage = firstStream ? stages.find((s) => s.stage === firstStream.stage) : undefined;
  const streamTail = streamStage ? [...streamStage.post, ...post].map((c) => (c.needsFiles ? `${c.name}ForFiles(context.files)` : c.name)) : [];
  const pipeline = [
    `/** ${description} */`,
    `export const ${names.camel}Pipeline: ModelPipeline<${names.pascal}Input, ${names.pascal}Output> = {`,
    '  modelId: MODEL_ID,',
    '  async run(input, context) {',
    '    const frame = createPipelineFrame(context.signal);',
    ...consts.filter((c) => c.needsFiles).map((c) => `    const ${c.name} = await ${c.name}ForFiles(context.files);`),
    ...body.map((l) => `    ${l}`),
    '  },',
    ...(firstStream
      ? ['  openStream(context, settings) {', `    return ${firstStream.name}.open(context.runner, context.signal, [${streamTail.join(', ')}], settings);`, '  },']
      : []),
    '};',
    '',
    `export default ${names.camel}Pipeline;`,
    '',
  ];
  return [...header, ...factories, ...(folded.length ? ['', ...folded] : []), ...(streamConsts.length ? ['', ...streamConsts] : []), '', ...pipeline].join('\n');
}

/** A model codegen cannot build a pipeline for: a module whose run() throws UNSUPPORTED with the reason. */
export function emitUnsupportedPipeline(options: { banner: string; metadata: ModelMetadata; names: ModelNames; reason: string }): string {
  const { banner, metadata, names, reason } = options;
  return [
      banner,
      `import { SwitchyardError } from '@switchyard/core';`,
      `import type { ModelPipeline } from '@switchyard/core';`,
      `import type { ${names.pascal}Input, ${names.pascal}Output } from '../registry.js';`,
      '',
      `const MODEL_ID = ${JSON.stringify(metadata.model_id)};`,
      '',
      `/** This model cannot run as a pipeline here: ${reason.replace(/\*\//g, '*\\/')} */`,
      `export const ${names.camel}Pipeline: ModelPipeline<${names.pascal}Input, ${names.pascal}Output> = {`,
      '  modelId: MODEL_ID,',
      '  async run() {',
      `    throw new SwitchyardError({ code: 'UNSUPPORTED', message: ${JSON.stringify(reason)}, details: { modelId: MODEL_ID } });`,
      '  },',
      '};',
      '',
      `export default ${names.camel}Pipeline;`,
      '',
    ].join('\n');
}
