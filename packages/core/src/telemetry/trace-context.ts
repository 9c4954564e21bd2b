import { ROOT_CONTEXT, context, trace, type Context, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator, parseTraceParent } from '@opentelemetry/core';

/** W3C trace context (`traceparent` / `tracestate`), as it travels in headers and in requests. */
export interface TraceHeaders {
  readonly traceparent: string;
  readonly tracestate?: string;
}

const propagator = new W3CTraceContextPropagator();
type Carrier = Record<string, string | undefined>;
const getter: TextMapGetter<Carrier> = { get: (carrier, key) => carrier[key], keys: (carrier) => Object.keys(carrier) };
const setter: TextMapSetter<Carrier> = { set: (carrier, key, value) => void (carrier[key] = value) };

/** True for a `traceparent` the W3C Trace Context spec accepts (a malformed one is ignored, as the spec says). */
export function isValidTraceparent(value: string): boolean {
  return parseTraceParent(value) !== null;
}

/**
 * The context a span should start in: the caller's remote span when `traceparent` is valid, else the active
 * context (an app that runs the orchestrator inside its own span gets child spans).
 */
export function parentContext(traceparent: string | undefined, tracestate?: string): Context {
  if (traceparent === undefined) return context.active();
  return propagator.extract(context.active(), { traceparent, tracestate }, getter);
}

/**
 * The headers that carry `span` to the next hop (an upstream call), or undefined when there is no trace to carry
 * (no SDK installed and no caller trace: the span is the no-op one).
 */
export function traceHeadersOf(span: Span): TraceHeaders | undefined {
  const carrier: Carrier = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, setter);
  if (carrier.traceparent === undefined) return undefined;
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}
