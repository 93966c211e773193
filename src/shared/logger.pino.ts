import { pino, type DestinationStream } from 'pino';
import { SECRET_LOG_KEYS, type Logger, type LogLevel } from './logger.js';

/** JSON lines to stdout (or a given stream); secrets are censored by key name. */
export function createPinoLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const paths = SECRET_LOG_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  return pino({ level, base: { app: 'hubd' }, redact: { paths, censor: '[secret]' } }, destination);
}
