import { SwitchyardError } from '../../../errors/switchyard-error.js';
import type { JsonSchema } from '../../plugin/plugin.js';
import type { EngineModelSpec } from './engine-v1.js';

/**
 * The `modelOptionsSchema` of an engine whose one per-model option is `model`, the name its provider knows the model
 * by (cloud APIs, GPU pools, a local server): any other key is refused, so nothing set there is silently ignored.
 */
export function modelNameOptionsSchema(title: string, description: string): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    type: 'object',
    additionalProperties: false,
    properties: { model: { type: 'string', minLength: 1, description } },
  };
}

/**
 * `options.model` of a model spec, refused as modelNameOptionsSchema refuses other keys and types (the app checks at
 * start already, located; this covers an engine used without an app, and options of an id the app could not tie to
 * an engine). `what` says whose name it is ("the provider's model name"). Undefined when the model sets none.
 */
export function modelNameOption(engineId: string, spec: EngineModelSpec, what: string): string | undefined {
  const options = spec.options ?? {};
  const unknown = Object.keys(options).filter((key) => key !== 'model');
  if (unknown.length > 0) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `${engineId}: model '${spec.id}' options: ${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length === 1 ? 'is not an option' : 'are not options'} of this engine (it takes: model)`,
      details: { engine: engineId, modelId: spec.id, keys: unknown, expected: ['model'] },
    });
  }
  const model = options['model'];
  if (model !== undefined && (typeof model !== 'string' || model.length === 0)) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: `${engineId}: model '${spec.id}' options.model: expected ${what} (a non-empty string), found ${JSON.stringify(model)}`,
      details: { engine: engineId, modelId: spec.id, field: 'options.model', expected: 'non-empty string', found: JSON.stringify(model) },
    });
  }
  return model;
}
