import { SpanStatusCode, context, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { VERSION } from '../version.js';

/** The tracer of the globally installed provider (telemetry.tracing, or the app's own SDK); a no-op without one. */
export const tracer = () => trace.getTracer('@switchyard/core', VERSION);

/**
 * Runs `fn` inside an OpenTelemetry span (a no-op unless the app installs an SDK). Errors set the span status and
 * `error.type` to the SwitchyardError code.
 */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      const result = await fn(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      markSpanFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** `error.type` (the SwitchyardError code) and an ERROR status. */
export function markSpanFailed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown }).code;
  span.setAttribute('error.type', typeof code === 'string' ? code : 'INTERNAL');
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** gen_ai semantic-convention attributes for one inference call. */
export function genAiAttributes(options: {
  readonly engine: string;
  readonly model: string;
  readonly workload: string;
  readonly target: string;
}): Attributes {
  return {
    'gen_ai.system': options.engine,
    'gen_ai.request.model': options.model,
    'gen_ai.operation.name': operationName(options.workload),
    'switchyard.target': options.target,
  };
}

/** `gen_ai.operation.name` of a workload (`chat` for completions). */
export function operationName(workload: string): string {
  return workload === 'completion' ? 'chat' : workload;
}
