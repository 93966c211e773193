import type { Clock } from '../shared/clock.js';
import { FailureLimiter } from './rate-limiter.js';
import { RecentSignIns } from './recent-sign-ins.js';

export interface LoginLimits {
  /** Failed logins allowed for one username from one address per window; then that pair waits. */
  loginFailuresPerUser: number;
  /** Failed logins allowed from one address per window, whatever names it tries. */
  loginFailuresPerIp: number;
  loginWindowS: number;
}

export type LoginVerdict = { kind: 'refuse'; retryAfterS: number } | { kind: 'proceed' };

/** The per-user spacing of password checks: a first step, doubling per further failure, to the cap. */
export const USER_BACKOFF_FIRST_MS = 500;
export const USER_BACKOFF_MAX_MS = 30_000;

/**
 * Who may try a password now. Hard limits apply per username+address and per address, so a
 * neighbour's device that keeps guessing locks only itself out. Once a username has failed
 * `loginFailuresPerUser` times from all addresses together, its passwords are checked at most once
 * per backoff step (0.5 s doubling to 30 s) for addresses that have not signed in as that user
 * lately; the rest get 429, however many addresses guess in parallel. An address where the user
 * signed in successfully in the last 30 days is exempt, so the household is never slowed.
 */
export class LoginLimiter {
  private readonly perPair: FailureLimiter;
  private readonly perAddress: FailureLimiter;
  private readonly perUser: FailureLimiter;
  /** Per user: when the next throttled password check may run. */
  private readonly nextCheckMs = new Map<string, number>();
  private readonly signedIn: RecentSignIns;

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginLimits,
    private readonly maxUsers = 10_000,
  ) {
    const windowS = limits.loginWindowS;
    this.perPair = new FailureLimiter(clock, limits.loginFailuresPerUser, windowS);
    this.perAddress = new FailureLimiter(clock, limits.loginFailuresPerIp, windowS);
    // Never locks (its limit is unreachable): only its failure count is read.
    this.perUser = new FailureLimiter(clock, Number.MAX_SAFE_INTEGER, windowS);
    this.signedIn = new RecentSignIns(clock);
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
    if (!this.signedIn.has(pair)) {
      const waitMs = this.takeUserTurn(user);
      if (waitMs > 0) return { kind: 'refuse', retryAfterS: Math.ceil(waitMs / 1000) };
    }
    this.perPair.recordFailure(pair);
    this.perAddress.recordFailure(addr);
    this.perUser.recordFailure(user);
    return { kind: 'proceed' };
  }

  /** The attempt was right: its pair starts afresh and is remembered as the household's. */
  succeeded(username: string, address: string): void {
    const user = userKey(username);
    const addr = addressKey(address);
    const pair = `${user}\u0000${addr}`;
    this.perPair.reset(pair);
    this.perAddress.forgive(addr);
    this.perUser.forgive(user);
    this.signedIn.note(pair);
  }

  /** 0 and books the user's next turn, or how long until the next check of this user may run. */
  private takeUserTurn(user: string): number {
    const stepMs = userDelayMs(this.perUser.failures(user), this.limits.loginFailuresPerUser);
    if (stepMs === 0) return 0;
    const nowMs = this.clock.nowMs();
    const nextMs = this.nextCheckMs.get(user) ?? 0;
    if (nowMs < nextMs) return nextMs - nowMs;
    this.nextCheckMs.delete(user);
    if (this.nextCheckMs.size >= this.maxUsers) this.forgetPastTurns(nowMs);
    this.nextCheckMs.set(user, nowMs + stepMs);
    return 0;
  }

  /** Keeps the map bounded: turns already past go first, else the one due soonest. */
  private forgetPastTurns(nowMs: number): void {
    let soonest: string | undefined;
    let soonestMs = Infinity;
    for (const [user, atMs] of this.nextCheckMs) {
      if (atMs <= nowMs) this.nextCheckMs.delete(user);
      else if (atMs < soonestMs) [soonest, soonestMs] = [user, atMs];
    }
    if (this.nextCheckMs.size >= this.maxUsers && soonest !== undefined) this.nextCheckMs.delete(soonest);
  }
}

/** The spacing between password checks for a user who has this many recent failures. */
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
