import type { Clock } from '../shared/clock.js';
import { FailureLimiter } from './rate-limiter.js';

export interface LoginLimits {
  /** Failed logins allowed for one username from one address per window; then that pair waits. */
  loginFailuresPerUser: number;
  /** Failed logins allowed from one address per window, whatever names it tries. */
  loginFailuresPerIp: number;
  loginWindowS: number;
}

export type LoginVerdict = { kind: 'refuse'; retryAfterS: number } | { kind: 'proceed'; delayMs: number };

/** The per-user backoff: a first step, doubling per further failure, never more than the cap. */
export const USER_BACKOFF_FIRST_MS = 500;
// Well below MQTT clients' CONNACK timeouts (MQTT.js and paho 30 s, PubSubClient 15 s), so a
// slowed login over MQTT still lands.
export const USER_BACKOFF_MAX_MS = 3000;

/**
 * Who may try a password now. Hard limits apply per username+address and per address, so a
 * neighbour's device that keeps guessing locks only itself out. Failures for a username from all
 * addresses together only slow that username's logins down (a bounded delay before the check),
 * never refuse them: the household can always sign in from a device that has not failed.
 */
export class LoginLimiter {
  private readonly perPair: FailureLimiter;
  private readonly perAddress: FailureLimiter;
  private readonly perUser: FailureLimiter;

  constructor(
    clock: Clock,
    private readonly limits: LoginLimits,
  ) {
    const windowS = limits.loginWindowS;
    this.perPair = new FailureLimiter(clock, limits.loginFailuresPerUser, windowS);
    this.perAddress = new FailureLimiter(clock, limits.loginFailuresPerIp, windowS);
    // Never refuses (its limit is unreachable): only its failure count is read.
    this.perUser = new FailureLimiter(clock, Number.MAX_SAFE_INTEGER, windowS);
  }

  /**
   * The verdict for an attempt; a `proceed` is counted as a failure at once (so parallel guesses
   * cannot slip past the limit while a hash is checked) until `succeeded` takes it back.
   */
  attempt(username: string, address: string): LoginVerdict {
    const user = userKey(username);
    const addr = addressKey(address);
    const pair = `${user}\u0000${addr}`;
    const retryAfterS = Math.max(this.perPair.retryAfterS(pair), this.perAddress.retryAfterS(addr));
    if (retryAfterS > 0) return { kind: 'refuse', retryAfterS };
    const delayMs = userDelayMs(this.perUser.failures(user), this.limits.loginFailuresPerUser);
    this.perPair.recordFailure(pair);
    this.perAddress.recordFailure(addr);
    this.perUser.recordFailure(user);
    return { kind: 'proceed', delayMs };
  }

  /** The attempt was right: its pair starts afresh; the user's backoff keeps other failures. */
  succeeded(username: string, address: string): void {
    const user = userKey(username);
    const addr = addressKey(address);
    this.perPair.reset(`${user}\u0000${addr}`);
    this.perAddress.forgive(addr);
    this.perUser.forgive(user);
  }
}

/** The wait before checking a password for a user who has this many recent failures. */
export function userDelayMs(failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  const doublings = Math.min(failures - threshold, 16);
  return Math.min(USER_BACKOFF_MAX_MS, USER_BACKOFF_FIRST_MS * 2 ** doublings);
}

const userKey = (username: string) => username.toLowerCase();

/** An IPv4 client seen by a dual-stack socket is the same address as plain IPv4. */
export function addressKey(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
