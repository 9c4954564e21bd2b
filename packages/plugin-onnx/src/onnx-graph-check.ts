import type { InferenceSession } from 'onnxruntime-node';
import { MetadataInvalidError, modelGraphIssues, planChain, validateModelMetadata, type GraphSignature, type GraphValue } from '@switchyard/core';

type SessionIo = Pick<InferenceSession, 'inputNames' | 'outputNames' | 'inputMetadata' | 'outputMetadata'>;

/** What messages call a model's metadata here: the executor names the file (as codegen does) when it knows it. */
export const engineMetadataFile = (modelId: string): string => `model '${modelId}' model_metadata.json`;

function values(names: readonly string[], metadata: readonly InferenceSession.ValueMetadata[]): GraphValue[] {
  return names.map((name, i) => {
    const meta = metadata[i];
    // onnxruntime gives [] for a shape the graph leaves open: its rank is unknown, not 0.
    if (meta?.isTensor) return { name, dtype: meta.type, rank: meta.shape.length > 0 ? meta.shape.length : undefined };
    return { name, dtype: 'unknown', rank: undefined };
  });
}

/** A session's graph inputs and outputs, as core's graph check takes them (codegen reads the same from the .onnx file). */
export function sessionGraphSignature(session: SessionIo): GraphSignature {
  return { inputs: values(session.inputNames, session.inputMetadata), outputs: values(session.outputNames, session.outputMetadata) };
}

/**
 * Core's one graph check (stageGraphIssues, the one codegen runs on the .onnx files) on the loaded sessions:
 * metadata naming a tensor the graph lacks, or feeding it the wrong dtype or rank, is METADATA_INVALID at load
 * with every issue located. `sessions` maps a stage name (`main` for a single-graph model) to its session.
 * Metadata the validator refuses is left to the checks that read it (the pipeline refuses it before the engine).
 */
export function checkGraphsFitMetadata(modelId: string, metadata: unknown, sessions: ReadonlyMap<string, SessionIo>): void {
  if (metadata === undefined || metadata === null) return;
  const file = engineMetadataFile(modelId);
  const validation = validateModelMetadata(metadata, { file });
  if (!validation.ok) return;
  const plan = planChain(validation.metadata);
  const issues = modelGraphIssues(
    validation.metadata,
    plan,
    (stage) => {
      const session = sessions.get(stage.name ?? 'main');
      return session ? sessionGraphSignature(session) : undefined;
    },
    file,
  );
  if (issues.length > 0) throw new MetadataInvalidError({ issues });
}
