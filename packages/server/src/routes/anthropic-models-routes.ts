import type { FastifyInstance } from 'fastify';
import { httpError, noSuchModel } from '../http-error.js';
import { commonHeaders } from '../server-context.js';

/** What the Anthropic face of /v1/models answers from (the same models the OpenAI face lists). */
export interface AnthropicModelSource {
  /** The listed model ids, in listing order. */
  listIds(): Promise<readonly string[]>;
  /** Whether `id` names a model: a listed one, or an `engine:model` ref on a registered engine. */
  has(id: string): Promise<boolean>;
}

/** Nothing here knows when a model was released: every model says the Unix epoch (documented in docs/server.md). */
export const ANTHROPIC_MODEL_CREATED_AT = '1970-01-01T00:00:00Z';

/** The Anthropic SDK sends `anthropic-version` on every request; routes constrained on it answer that SDK. */
const ANTHROPIC_CLIENT = 'anthropicClient';

type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type RouteHandler = Parameters<ReturnType<ConstraintStrategy['storage']>['set']>[1];

const anthropicClient: ConstraintStrategy = {
  name: ANTHROPIC_CLIENT,
  // Requests without the header derive nothing and fall back to the unconstrained (OpenAI) routes.
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<unknown, RouteHandler>();
    return { get: (value) => handlers.get(value) ?? null, set: (value, handler) => void handlers.set(value, handler) };
  },
  deriveConstraint: (request) => (request.headers['anthropic-version'] !== undefined ? 'yes' : undefined),
};

const LIST_KEYS = ['limit', 'before_id', 'after_id'];

/**
 * Anthropic's ModelInfo, every field the SDK types as present: server.models has no display name (it is the id), and
 * nothing here knows capabilities, limits or a retirement (null, as Anthropic says for unknown); a listed model is served.
 */
const modelInfo = (id: string) => ({
  type: 'model',
  id,
  display_name: id,
  created_at: ANTHROPIC_MODEL_CREATED_AT,
  lifecycle: 'active',
  deprecated_at: null,
  retires_at: null,
  line: null,
  capabilities: null,
  max_input_tokens: null,
  max_tokens: null,
});

const invalid = (field: string, message: string, found?: string) => httpError('INVALID_PARAMS', `querystring/${field} ${message}`, { details: { field, ...(found !== undefined ? { found: found.slice(0, 128) } : {}) } });

/** Every key must be one the route honours; a repeated one (`?limit=1&limit=2`) is refused, not resolved by a guess. */
function checkedQuery(query: Record<string, unknown>, keys: readonly string[], route: string): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!keys.includes(key)) throw invalid(key, `is not a parameter of ${route} (${keys.length > 0 ? `it takes ${keys.join(', ')}` : 'it takes none'})`);
    if (typeof value !== 'string') throw invalid(key, 'must be given once');
    checked[key] = value;
  }
  return checked;
}

/**
 * One page of Anthropic's model list: `limit` 1..1000 (default 20); `after_id` the page after that model,
 * `before_id` the page before it (not both); a cursor must be a listed model. `has_more`: more in that direction.
 */
export function anthropicModelPage(ids: readonly string[], query: Record<string, unknown>): Record<string, unknown> {
  const { limit: limitText, before_id: before, after_id: after } = checkedQuery(query, LIST_KEYS, 'GET /v1/models');
  if (limitText !== undefined && !/^(?:[1-9]\d{0,2}|1000)$/.test(limitText)) throw invalid('limit', 'must be an integer from 1 to 1000', limitText);
  const limit = limitText === undefined ? 20 : Number(limitText);
  if (before !== undefined && after !== undefined) throw invalid('before_id', 'cannot be combined with after_id (one cursor per page)', before);
  const cursor = before ?? after;
  const at = cursor === undefined ? -1 : ids.indexOf(cursor);
  if (cursor !== undefined && at < 0) throw invalid(before !== undefined ? 'before_id' : 'after_id', 'names no listed model', cursor);
  const start = before !== undefined ? Math.max(0, at - limit) : at + 1;
  const end = before !== undefined ? at : Math.min(ids.length, start + limit);
  const data = ids.slice(start, end).map(modelInfo);
  return { data, has_more: before !== undefined ? start > 0 : end < ids.length, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}

/**
 * Anthropic's face of GET /v1/models and GET /v1/models/{id}: requests carrying `anthropic-version` are routed
 * here (ModelInfo, cursor pages), and their errors are in Anthropic's shape (faceOf, create-server.ts); every other
 * request keeps the OpenAI routes registered beside these.
 */
export function registerAnthropicModelRoutes(app: FastifyInstance, models: AnthropicModelSource): void {
  if (!app.hasConstraintStrategy(ANTHROPIC_CLIENT)) app.addConstraintStrategy(anthropicClient);
  const options = { constraints: { [ANTHROPIC_CLIENT]: 'yes' }, schema: { headers: commonHeaders } };

  app.get<{ Querystring: Record<string, unknown> }>('/v1/models', options, async (request) => anthropicModelPage(await models.listIds(), request.query));
  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>('/v1/models/:id', options, async (request) => {
    checkedQuery(request.query, [], 'GET /v1/models/{id}');
    const id = request.params.id;
    if (await models.has(id)) return modelInfo(id);
    throw noSuchModel(`The model '${id}' does not exist`, id, await models.listIds());
  });
}
