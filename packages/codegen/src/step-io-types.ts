/**
 * The app-facing input type of a model, by its first preprocessing step (what the generated registry declares;
 * a wrong input type must not compile). Unlisted steps fall back to the factory's own input type.
 */
const INPUT_BY_FIRST_STEP: Readonly<Record<string, string>> = {
  AudioDecode: 'Uint8Array',
  AudioResample: 'AudioSamples',
  CenterCrop: 'Tensor',
  MelSpectrogram: 'AudioSamples',
  Normalize: 'Tensor',
  OcrImageDecode: 'Uint8Array',
  Phonemize: 'string',
  Reshape: 'Tensor',
  Resize: 'Tensor',
  Tokenize: 'string',
  VadWavDecode: 'Uint8Array',
};

/** The input type expression, and the core type names it needs imported. */
export function inputTypeFor(firstStep: string | undefined): { expression: string; imports: string[]; factory?: string } {
  if (firstStep === undefined) return { expression: 'TensorMap', imports: ['TensorMap'] };
  const known = INPUT_BY_FIRST_STEP[firstStep];
  if (known) return { expression: known, imports: known === 'string' || known === 'Uint8Array' ? [] : [known] };
  return { expression: `StepInputOf<typeof create${firstStep}Step>`, imports: ['StepInputOf'], factory: `create${firstStep}Step` };
}

/** The output type expression: the last step factory's output, or the graph's TensorMap without postprocessing. */
export function outputTypeFor(lastStep: string | undefined, streamed: boolean): { expression: string; imports: string[]; factory?: string } {
  if (lastStep === undefined) {
    return streamed ? { expression: 'Float32Array', imports: [] } : { expression: 'Tensor | TensorMap', imports: ['Tensor', 'TensorMap'] };
  }
  return { expression: `StepOutputOf<typeof create${lastStep}Step>`, imports: ['StepOutputOf'], factory: `create${lastStep}Step` };
}
