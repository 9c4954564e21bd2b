import { randomUUID } from 'node:crypto';
import type { FastifyRequest, RawRequestDefaultExpression } from 'fastify';
import { isValidTraceparent } from '@switchyard/core';

/** What a request id (`x-request-id` / `x-correlation-id`) may look like; others are replaced by a fresh UUID. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id: the client's `x-request-id` (then `x-correlation-id`) when it is a valid id, else a new UUID.
 * It is the correlation id of logs and tasks, echoed in both response headers and sent upstream.
 */
export function requestIdOf(request: RawRequestDefaultExpression): string {
  const sent = request.headers['x-request-id'] ?? request.headers['x-correlation-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** The parts of a TaskSpec that come from the HTTP request: correlation id, route label and W3C trace context. */
export interface TaskTelemetry {
  readonly correlationId: string;
  readonly route: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** A malformed `traceparent` is ignored (W3C Trace Context: the callee starts a new trace). */
export function taskTelemetry(request: FastifyRequest): TaskTelemetry {
  const telemetry = { correlationId: request.id, route: '' };
  return addTaskTelemetry(telemetry, request);
}

/**
 * Sets the TaskTelemetry fields on `target` (a spec being built) in place: no temporary object to spread. A route
 * that knows its own path passes it as `route` (Fastify builds a new routeOptions object on every read).
 */
export function addTaskTelemetry<T extends { -readonly [K in keyof TaskTelemetry]?: TaskTelemetry[K] }>(target: T, request: FastifyRequest, route?: string): T & TaskTelemetry {
  target.correlationId = request.id;
  target.route = route ?? request.routeOptions.url ?? 'unknown';
  const traceparent = request.headers.traceparent;
  if (typeof traceparent === 'string' && isValidTraceparent(traceparent)) {
    target.traceparent = traceparent;
    const tracestate = request.headers.tracestate;
    if (typeof tracestate === 'string' && tracestate.length <= 512) target.tracestate = tracestate;
  }
  return target as T & TaskTelemetry;
}
