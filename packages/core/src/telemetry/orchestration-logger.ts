import { pino, type Logger, type DestinationStream } from 'pino';
import type { TelemetryConfig } from './telemetry-config.js';

/** Keys that can carry secrets or raw inputs; pino censors them wherever they appear (two levels deep). */
const REDACT_PATHS = [
  'apiKey', '*.apiKey', 'authorization', '*.authorization', 'headers.authorization', 'token', '*.token',
  'password', '*.password', 'secret', '*.secret',
];
const INPUT_PATHS = ['prompt', '*.prompt', 'input', '*.input', 'messages', '*.messages', 'text', '*.text'];

/** JSON logger for the orchestration layer: correlation ids in every line, secrets and (by default) inputs censored. */
export function createOrchestrationLogger(config: TelemetryConfig = {}, destination?: DestinationStream): Logger {
  const paths = config.logInputs ? REDACT_PATHS : [...REDACT_PATHS, ...INPUT_PATHS];
  const options = { name: 'switchyard', level: config.logLevel ?? 'info', redact: { paths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
