import { pino } from 'pino';
import type { DestinationStream } from 'pino';

export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logging. Callers never pass secrets; the redaction list is a second line of defence. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly name?: string;
  /** Where lines go; standard error by default so that standard output stays for command results. */
  readonly destination?: DestinationStream;
}

const REDACTED_PATHS = [
  'token', 'client_token', 'root_token', 'key', 'keys', 'keys_base64', 'password', 'secret',
  '*.token', '*.client_token', '*.password', '*.secret',
];

export function createLogger(options: LoggerOptions): Logger {
  const base = pino(
    {
      level: options.level,
      base: options.name === undefined ? {} : { name: options.name },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination(2),
  );
  return wrap(base);
}

function wrap(base: pino.Logger): Logger {
  return {
    debug: (message, fields) => base.debug(fields ?? {}, message),
    info: (message, fields) => base.info(fields ?? {}, message),
    warn: (message, fields) => base.warn(fields ?? {}, message),
    error: (message, fields) => base.error(fields ?? {}, message),
    child: (bindings) => wrap(base.child(bindings)),
  };
}
