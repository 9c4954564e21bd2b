import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { SwitchyardError } from '@switchyard/spec';
import { VERSION } from '../version.js';
import { JsonLineSpanExporter } from './json-line-span-exporter.js';
import type { TracingConfig } from './telemetry-config.js';

/** A tracer provider installed as the process-wide one; `shutdown()` flushes pending spans and uninstalls it. */
export interface InstalledTracing {
  readonly provider: BasicTracerProvider;
  /** Exports spans still buffered (the batch processor sends every few seconds otherwise). */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Installs the `telemetry.tracing` tracer provider globally (`@opentelemetry/api`), so every span Switchyard starts
 * is exported. `exporter` replaces the configured one (tests pass an in-memory exporter). Refuses, with a clear
 * error, when another provider is already installed: two would silently split the spans.
 */
export function installTracing(config: TracingConfig, options: { readonly exporter?: SpanExporter } = {}): InstalledTracing {
  const exporter =
    options.exporter ??
    (config.exporter === 'console'
      ? new JsonLineSpanExporter()
      : new OTLPTraceExporter({ ...(config.endpoint !== undefined ? { url: config.endpoint } : {}), ...(config.headers ? { headers: { ...config.headers } } : {}) }));
  // Console output is for a developer watching: one JSON line per span on stderr at once; OTLP is batched.
  const processor = config.exporter === 'console' && !options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName ?? 'switchyard', 'service.version': VERSION }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio ?? 1) }),
    spanProcessors: [processor],
  });
  if (!trace.setGlobalTracerProvider(provider)) {
    throw new SwitchyardError({
      code: 'CONFIG_INVALID',
      message: '/telemetry/tracing: another OpenTelemetry tracer provider is already installed in this process; remove telemetry.tracing to use that one, or do not install it',
      details: { pointer: '/telemetry/tracing', expected: 'no other global tracer provider' },
    });
  }
  let stopped: Promise<void> | undefined;
  return {
    provider,
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= provider.shutdown().finally(() => trace.disable());
      return stopped;
    },
  };
}
