import type { FastifyInstance } from 'fastify';
import { VERSION as CORE_VERSION } from '@switchyard/core';
import { commonHeaders, noQuery, type ServerContext } from '../server-context.js';

export const API_VERSION = '2';

/** /healthz (open), /readyz, /metrics and /v2/meta/capabilities. */
export function registerSystemRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engines, scheduler, metrics, config } = context;
  const plain = { querystring: noQuery, headers: commonHeaders };

  app.get('/healthz', { schema: plain }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: plain }, async (_request, reply) => {
    const checks = await Promise.all(
      engines.map(async (engine) => {
        try {
          const health = await engine.health();
          // a draining pool takes no new work: it is not ready
          if (health.ok && scheduler.isDraining(engine.id)) return { engine: engine.id, ok: false, draining: true, reason: 'draining' };
          return { engine: engine.id, ok: health.ok, ...(health.reason ? { reason: health.reason } : {}) };
        } catch {
          return { engine: engine.id, ok: false, reason: 'health check failed' };
        }
      }),
    );
    const ready = scheduler.accepting && (checks.length === 0 || checks.some((check) => check.ok));
    return reply.code(ready ? 200 : 503).send({ ready, accepting: scheduler.accepting, engines: checks });
  });

  app.get('/metrics', { schema: plain }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });

  app.get('/v2/meta/capabilities', { schema: plain }, async () => ({
    api_version: API_VERSION,
    core_version: CORE_VERSION,
    engines: engines.map((engine) => ({
      engine: engine.id,
      workloads: engine.capabilities.workloads,
      targets: engine.capabilities.targets,
      ctx_max: engine.capabilities.contextWindow ?? null,
      features: engine.capabilities.features,
      rate_limits: {
        concurrency: config.admission.engineConcurrency[engine.id] ?? config.admission.defaultConcurrency,
        interactive_queue: config.admission.interactiveCapacity,
        batch_queue: config.admission.batchCapacity,
        policy: config.admission.policy,
      },
    })),
  }));
}
