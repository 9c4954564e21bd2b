import { allPlannedSteps, folderNameIssue, MetadataInvalidError, MODEL_METADATA_SCHEMA, pipelineUnsupportedReason, planChain, validateModelMetadata, type ChainPlan, type MetadataIssue, type ModelMetadata } from '@switchyard/core';
import { emitPipeline, emitUnsupportedPipeline } from './emit-pipeline.js';
import { formatTypeScript } from './format.js';
import { generatedBanner } from './generated-banner.js';
import { graphIssues } from './graph-check.js';
import { modelNames, type ModelNames } from './model-names.js';
import { renderTemplate } from './templates.js';
import { tsLiteral } from './ts-literal.js';

/** One model folder codegen reads. */
export interface ModelSource {
  /** model_metadata.json as messages show it (relative to the config folder, POSIX separators). */
  readonly file: string;
  /**
   * How the generated registry finds the model at run time: its folder or its `.xyb` bundle (relative to the config
   * folder; the runtime opens a bundle as it opens a `.xyb` entry of models.dirs), or a model pack.
   */
  readonly ref: { readonly dir: string } | { readonly bundle: string } | { readonly package: string };
  /** Absolute model folder (a bundle's extracted folder): its files and .onnx graphs are checked when given. */
  readonly root?: string;
  /** The folder's name when it comes from a models dir (it must equal model_id: the runtime looks it up by name). */
  readonly folderName?: string;
  readonly metadata: unknown;
  /** sha256 (hex) of the model_metadata.json bytes read: the registry entry carries it, so the app sees a file changed since. */
  readonly metadataSha256?: string;
}

export interface GenerateInput {
  readonly models: readonly ModelSource[];
  /**
   * Files that could not be read as models (e.g. a model_metadata.json that is not JSON: readModelSources' issues):
   * reported with every other model's problems, sorted in by file.
   */
  readonly readIssues?: readonly MetadataIssue[];
  /** Step tags that have a `create${T}Step` factory; others make the model's pipeline UNSUPPORTED. Default: all. */
  readonly availableSteps?: readonly string[];
  /** Where the registry and pipelines go (a path as messages show it). */
  readonly outDir: string;
  /** Default: the schema core ships. */
  readonly schema?: object;
  /** Unknown (and unused) metadata fields are errors instead of warnings. */
  readonly strict?: boolean;
}

export interface GeneratedFile {
  readonly path: string;
  readonly contents: string;
}

export const DEFAULT_OUT_DIR = 'src/switchyard.generated';


interface ModelPlan {
  readonly source: ModelSource;
  readonly metadata: ModelMetadata;
  readonly names: ModelNames;
  readonly chain: ChainPlan;
}

/** Validates every model (schema and chain kinds by core's validator, then files and graphs): all issues of all files, before anything is written. */
function validateAll(input: GenerateInput, warnings: MetadataIssue[]): ModelPlan[] {
  const issues: MetadataIssue[] = [];
  const plans: ModelPlan[] = [];
  const seen = new Map<string, string>();
  for (const source of [...input.models].sort((a, b) => a.file.localeCompare(b.file))) {
    const file = source.file;
    const result = validateModelMetadata(source.metadata, { file, schema: input.schema ?? MODEL_METADATA_SCHEMA, strict: input.strict ?? false });
    warnings.push(...result.warnings);
    if (!result.ok) issues.push(...result.issues);
    // Ids are checked on the file as written, so a duplicate is reported with the file's other problems.
    const raw = (source.metadata as { model_id?: unknown } | null)?.model_id;
    const id = result.ok ? result.metadata.model_id : typeof raw === 'string' ? raw : undefined;
    if (id === undefined) continue;
    if (source.folderName !== undefined && source.folderName !== id) {
      issues.push(folderNameIssue(file, source.folderName, id));
    }
    const other = seen.get(id);
    if (other) {
      issues.push({ file, pointer: '/model_id', message: `repeats the id of ${other}`, expected: 'an id no other model has', found: JSON.stringify(id) });
      continue;
    }
    seen.set(id, file);
    if (!result.ok) continue;
    const metadata = result.metadata;
    // validateModelMetadata ran the chain check (the interpreter runs the same one); the plan feeds the graph checks.
    const chain = planChain(metadata);
    if (source.root !== undefined) issues.push(...graphIssues(metadata, chain, { root: source.root, file }));
    plans.push({ source, metadata, names: modelNames(id), chain });
  }
  if (issues.length || input.readIssues?.length) {
    // Sorted by file (stable: each file's issues keep their order), so a file that is not JSON is listed in its place.
    const all = [...(input.readIssues ?? []), ...issues].sort((a, b) => a.file.localeCompare(b.file));
    throw new MetadataInvalidError({ issues: all });
  }
  return plans.sort((a, b) => a.metadata.model_id.localeCompare(b.metadata.model_id));
}

function unsupportedReason(plan: ModelPlan, available: ReadonlySet<string> | undefined): string | undefined {
  const reason = pipelineUnsupportedReason(plan.metadata);
  if (reason) return reason;
  if (!available) return undefined;
  const missing = [...new Set(allPlannedSteps(plan.chain).map((s) => s.type).filter((s) => !available.has(s)))].sort();
  return missing.length ? `Model '${plan.metadata.model_id}': no step factory for ${missing.join(', ')}` : undefined;
}

/** The registry's input and output type expressions of a model: exactly what its first step takes and last returns. */
function ioTypes(plan: ModelPlan, blocked: boolean): { input: string; output: string; imports: string[]; factories: string[] } {
  if (blocked) return { input: 'unknown', output: 'unknown', imports: [], factories: [] };
  const { chain } = plan;
  const first = chain.pre[0] ?? chain.stages[0]?.pre[0];
  const lastStage = chain.stages[chain.stages.length - 1];
  const last = chain.post[chain.post.length - 1] ?? lastStage?.post[lastStage.post.length - 1];
  const streamFirst = !first && chain.stages[0]?.stream !== undefined;
  const streamLast = !last && lastStage?.stream !== undefined;
  const imports: string[] = [];
  const factories: string[] = [];
  let input: string;
  if (first) {
    input = `StepInputOf<typeof create${first.type}Step>`;
    imports.push('StepInputOf');
    factories.push(`create${first.type}Step`);
  } else if (streamFirst) {
    input = 'Float32Array | AudioSamples';
    imports.push('AudioSamples');
  } else {
    input = 'Tensor | TensorMap';
    imports.push('Tensor', 'TensorMap');
  }
  let output: string;
  if (last) {
    output = `StepOutputOf<typeof create${last.type}Step>`;
    imports.push('StepOutputOf');
    factories.push(`create${last.type}Step`);
  } else if (streamLast) {
    output = 'Float32Array';
  } else {
    output = 'Tensor | TensorMap';
    imports.push('Tensor', 'TensorMap');
  }
  return { input, output, imports, factories };
}

function registryContext(plans: readonly ModelPlan[], unsupported: ReadonlyMap<string, string | undefined>, sourceLabel: string): object {
  const typeImports = new Set<string>(['ModelMetadata', 'ModelPipeline', 'ModelRegistry', 'PipelineContext']);
  const factoryTypeImports = new Set<string>();
  const models = plans.map((plan) => {
    const types = ioTypes(plan, unsupported.get(plan.metadata.model_id) !== undefined);
    types.imports.forEach((i) => typeImports.add(i));
    types.factories.forEach((f) => factoryTypeImports.add(f));
    const ref = plan.source.ref;
    return {
      id: plan.metadata.model_id,
      idLiteral: JSON.stringify(plan.metadata.model_id),
      file: plan.source.file,
      location: 'package' in ref ? `package: ${JSON.stringify(ref.package)}` : 'bundle' in ref ? `bundle: ${JSON.stringify(ref.bundle)}` : `dir: ${JSON.stringify(ref.dir)}`,
      names: plan.names,
      description: (plan.metadata.description ?? plan.metadata.model_id).replace(/\*\//g, '*\\/'),
      input: types.input,
      output: types.output,
      metadata: tsLiteral(plan.metadata),
      metadataSha256: plan.source.metadataSha256 === undefined ? null : JSON.stringify(plan.source.metadataSha256),
    };
  });
  return {
    banner: generatedBanner(sourceLabel),
    models,
    typeImports: [...typeImports].sort(),
    factoryTypeImports: [...factoryTypeImports].sort(),
  };
}

/**
 * Pure generator: metadata in, formatted files out (sorted by path). Throws MetadataInvalidError listing every issue
 * of every model before anything is produced. Only the CLI writes files.
 */
export async function generate(input: GenerateInput): Promise<{ files: GeneratedFile[]; warnings: MetadataIssue[] }> {
  const outDir = input.outDir.replace(/\/+$/, '');
  const warnings: MetadataIssue[] = [];
  const plans = validateAll(input, warnings);
  const available = input.availableSteps ? new Set(input.availableSteps) : undefined;
  const unsupported = new Map(plans.map((p) => [p.metadata.model_id, unsupportedReason(p, available)] as const));
  const sourceLabel = plans.length === 1 ? plans[0]!.source.file : 'the models of switchyard.config.yaml';
  const raw: GeneratedFile[] = [
    { path: `${outDir}/index.ts`, contents: renderTemplate('index.ts', { banner: generatedBanner(sourceLabel) }) },
    // Written with no models too: index.ts re-exports it, and an app's code using `registry` compiles either way.
    { path: `${outDir}/registry.ts`, contents: renderTemplate('registry.ts', registryContext(plans, unsupported, sourceLabel)) },
    ...plans.map((plan) => {
      const reason = unsupported.get(plan.metadata.model_id);
      const common = { banner: generatedBanner(plan.source.file), metadata: plan.metadata, names: plan.names };
      return {
        path: `${outDir}/pipelines/${plan.metadata.model_id}.ts`,
        contents: reason ? emitUnsupportedPipeline({ ...common, reason }) : emitPipeline({ ...common, plan: plan.chain }),
      };
    }),
  ];
  const files = await Promise.all(raw.map(async (file) => ({ path: file.path, contents: await formatTypeScript(file.contents) })));
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)), warnings };
}
