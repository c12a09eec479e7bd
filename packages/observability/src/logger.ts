import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

/**
 * Fields that must never reach a log line, whatever logs them: credentials, and the arguments of a failed
 * Redis command (they would carry event text and prompts). pino replaces them with `[redacted]`.
 */
export const REDACTED_LOG_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'err.command.args',
  'err.cause.command.args',
];

/** The JSON logger of a threadcast process: one line per entry on stdout (or `destination`), secrets redacted. */
export function createLogger(options: { service: string; level: string }, destination?: DestinationStream): PinoLogger {
  const settings = {
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(settings, destination) : pino(settings);
}
