import { describe, expectTypeOf, it } from 'vitest';
import type { StepInputOf, StepOutputOf } from '../template-executor/pipeline-io.js';
import type { StepFactories, StepTag } from './step-factories.js';
import { STEP_IO, type StepValueTypes } from './step-io.js';

type Io = typeof STEP_IO;
/** The TypeScript type STEP_IO declares for a step's input (union of its kinds) and output. */
type DeclaredInput<T extends StepTag> = StepValueTypes[Io[T]['input'][number]];
type Kinds<K> = K extends readonly (infer E)[] ? E : K;
type DeclaredOutput<T extends StepTag> = StepValueTypes[Kinds<Io[T]['output']> & keyof StepValueTypes];

type InputMismatch = {
  [T in StepTag]: [StepInputOf<StepFactories[T]>] extends [DeclaredInput<T>]
    ? [DeclaredInput<T>] extends [StepInputOf<StepFactories[T]>]
      ? never
      : T
    : T;
}[StepTag];
/** A step's output must be a value of its declared kind (it may be more precise, e.g. a mutable array). */
type OutputMismatch = {
  [T in StepTag]: [StepOutputOf<StepFactories[T]>] extends [DeclaredOutput<T>] ? never : T;
}[StepTag];
type UnknownInput = { [T in StepTag]: unknown extends StepInputOf<StepFactories[T]> ? T : never }[StepTag];

describe('STEP_IO agrees with the step factories', () => {
  it('has an entry per factory and no other', () => {
    expectTypeOf<keyof Io>().toEqualTypeOf<StepTag>();
  });
  it('no factory takes unknown', () => {
    expectTypeOf<UnknownInput>().toEqualTypeOf<never>();
  });
  it('declares each step input exactly', () => {
    expectTypeOf<InputMismatch>().toEqualTypeOf<never>();
  });
  it('declares each step output', () => {
    expectTypeOf<OutputMismatch>().toEqualTypeOf<never>();
  });
});
