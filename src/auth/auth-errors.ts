import { UserError } from '../shared/errors.js';

/** Too many failed sign-ins from one address or for one user: try again after `retryAfterS`. */
export class RateLimitedError extends UserError {
  constructor(readonly retryAfterS: number) {
    super(`too many failed logins; try again in ${retryAfterS} s`, 429, 'rate_limited');
  }
}
