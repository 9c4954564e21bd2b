import type { StepFactory } from './step-kernel.js';

/**
 * Every step tag -> its factory. The TemplateExecutor dispatches through this table; generated pipelines import
 * `create${Tag}Step` directly. Keep keys sorted.
 */
export const STEP_FACTORIES: Readonly<Record<string, StepFactory>> = {};
