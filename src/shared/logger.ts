/** The structured logger every component receives. Fields are redacted by the adapter. */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  child(bindings: object): Logger;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach a log line, at any depth the adapter checks. */
export const SECRET_LOG_KEYS = [
  'password',
  'newPassword',
  'apikey',
  'apiKey',
  'readApiKey',
  'writeApiKey',
  'token',
  'csrfToken',
  'authorization',
  'cookie',
  'secret',
] as const;

/** Says nothing: for the `hub` command, whose modules would otherwise log to its terminal. */
export const silentLog: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLog,
};
