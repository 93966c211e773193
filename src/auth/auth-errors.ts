import { UserError } from '../shared/errors.js';

/** Too many failed sign-ins from one address or for one user: try again after `retryAfterS`. */
export class RateLimitedError extends UserError {
  constructor(
    readonly retryAfterS: number,
    message = `too many failed logins; try again in ${retryAfterS} s`,
    status = 429,
    code = 'rate_limited',
  ) {
    super(message, status, code);
  }
}

/**
 * The queue of password checks is full (password-hasher.ts): 503, retry in a second. A
 * RateLimitedError, so the web login sends Retry-After and an MQTT login gets CONNACK 3 (retry),
 * not "wrong password"; it is not a failed login and counts against no limit.
 */
export class PasswordChecksBusyError extends RateLimitedError {
  constructor() {
    super(1, 'the hub is checking too many passwords at once; try again in 1 s', 503, 'busy');
  }
}
