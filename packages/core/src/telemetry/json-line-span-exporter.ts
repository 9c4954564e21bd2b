import { ExportResultCode, hrTimeToMicroseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Where the lines go: stderr by default (stdout holds a command's outputs, e.g. `switchyard run --json`). */
export interface SpanLineSink {
  write(line: string): unknown;
}

/** One span as one JSON object: ids, name, kind, times in microseconds, attributes, status, events, links. */
export function spanLine(span: ReadableSpan): string {
  const context = span.spanContext();
  return JSON.stringify({
    traceId: context.traceId,
    spanId: context.spanId,
    ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    name: span.name,
    kind: span.kind,
    service: span.resource.attributes['service.name'],
    scope: span.instrumentationScope.name,
    timestamp: hrTimeToMicroseconds(span.startTime),
    duration: hrTimeToMicroseconds(span.duration),
    attributes: span.attributes,
    status: span.status,
    events: span.events.map((event) => ({ name: event.name, timestamp: hrTimeToMicroseconds(event.time), ...(event.attributes ? { attributes: event.attributes } : {}) })),
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, ...(link.attributes ? { attributes: link.attributes } : {}) })),
  });
}

/** `telemetry.tracing.exporter: console`: one JSON line per span on stderr (the SDK's console exporter prints multi-line objects to stdout). */
export class JsonLineSpanExporter implements SpanExporter {
  private stopped = false;

  constructor(private readonly sink: SpanLineSink = process.stderr) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) return resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
    try {
      for (const span of spans) this.sink.write(`${spanLine(span)}\n`);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
