import type { EngineV1, OrchestratorApi, Placement } from '@switchyard/core';
import type { ArtifactStore } from './artifact-store.js';
import type { PoolRegistry } from './pool-registry.js';
import type { ResponseStore } from './response-store.js';
import type { ServerCatalog } from './server-catalog.js';
import type { ResolvedServerConfig } from './server-config.js';
import type { ServerMetrics } from './server-metrics.js';
import type { Sessions } from './session-store.js';
import type { TaskQueue } from './task-queue.js';

/** Everything a route module needs; built once per server (no globals). */
export interface ServerContext {
  readonly orchestrator: OrchestratorApi;
  readonly engines: readonly EngineV1[];
  readonly catalog?: ServerCatalog;
  readonly config: ResolvedServerConfig;
  readonly scheduler: TaskQueue;
  /**
   * NO_SUCH_MODEL (404, close matches) for a model ref nothing here serves: every task-submitting route calls it
   * before admission, so a typo is never queued. The orchestrator's own check; a no-op when it has none.
   */
  readonly assertKnownModel: (modelRef: string) => void;
  /** The pool (engine key) a model ref is admitted on: what a drain names. */
  readonly engineKeyFor: (modelRef: string, placement?: Placement) => string;
  readonly pools: PoolRegistry;
  readonly artifacts: ArtifactStore;
  /** The scheduler's sessions in distributed mode (shared through Redis), else the state store's. */
  readonly sessions: Sessions;
  /** Stored Responses API responses (`store`, `previous_response_id`, GET /v1/responses/{id}). */
  readonly responses: ResponseStore;
  readonly metrics: ServerMetrics;
  readonly now: () => number;
  /** Counts a request's input tokens (`POST /v1/messages/count_tokens`); absent when nothing here can. */
  readonly countTokens?: NonNullable<OrchestratorApi['countTokens']>;
}

/** Shared JSON Schema fragments. */
export const ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';
export const SHA256_PATTERN = '^[a-f0-9]{64}$';
export const idParams = (name = 'id') =>
  ({ type: 'object', required: [name], additionalProperties: false, properties: { [name]: { type: 'string', pattern: ID_PATTERN } } }) as const;
/** Routes take no query string unless they declare one. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
/** Auth and correlation headers every route accepts; others are ignored (headers are open by nature). */
export const commonHeaders = {
  type: 'object',
  properties: {
    'x-correlation-id': { type: 'string', maxLength: 256 },
    'x-request-id': { type: 'string', maxLength: 256 },
    'x-api-key': { type: 'string', maxLength: 512 },
    authorization: { type: 'string', maxLength: 1024 },
  },
} as const;
