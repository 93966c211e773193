import type { Clock } from '../shared/clock.js';
import { FailureLimiter } from './rate-limiter.js';
import { addressKey, clientKey, networkKey } from './address-prefix.js';
import type { SignInStore } from './ports.js';
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
 * neighbour's device that keeps guessing locks only itself out.
 * Once a username has failed `loginFailuresPerUser` times from one network (a /24 or a /64), its
 * passwords from that network are checked at most once per backoff step (0.5 s doubling to 30 s);
 * the rest get 429. Each network has its own turn, so a guesser rotating addresses never takes the
 * turn of a household member in another network, and gets at most one check per step per network
 * it holds. An address (IPv6: its /64) where the user signed in in the last 30 days is exempt.
 */
export class LoginLimiter {
  private readonly perPair: FailureLimiter;
  private readonly perAddress: FailureLimiter;
  /** Failures per user+network; never locks (its limit is unreachable), only its count is read. */
  private readonly perNetwork: FailureLimiter;
  /** Per user+network: when its next throttled password check may run. */
  private readonly nextCheckMs = new Map<string, number>();
  private readonly signedIn: RecentSignIns;

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginLimits,
    signIns?: SignInStore,
    private readonly maxTurns = 10_000,
  ) {
    const windowS = limits.loginWindowS;
    this.perPair = new FailureLimiter(clock, limits.loginFailuresPerUser, windowS);
    this.perAddress = new FailureLimiter(clock, limits.loginFailuresPerIp, windowS);
    this.perNetwork = new FailureLimiter(clock, Number.MAX_SAFE_INTEGER, windowS);
    this.signedIn = new RecentSignIns(clock, signIns);
  }

  /**
   * The verdict for an attempt; a `proceed` is counted as a failure at once (so parallel guesses
   * cannot slip past the limit while a hash is checked) until `succeeded` takes it back.
   */
  attempt(username: string, address: string): LoginVerdict {
    const user = userKey(username);
    const addr = addressKey(address);
    const pair = `${user}\u0000${addr}`;
    const net = `${user}\u0000${networkKey(address)}`;
    const retryAfterS = Math.max(this.perPair.retryAfterS(pair), this.perAddress.retryAfterS(addr));
    if (retryAfterS > 0) return { kind: 'refuse', retryAfterS };
    if (!this.signedIn.has(user, clientKey(address))) {
      const waitMs = this.takeTurn(net);
      if (waitMs > 0) return { kind: 'refuse', retryAfterS: Math.ceil(waitMs / 1000) };
    }
    this.perPair.recordFailure(pair);
    this.perAddress.recordFailure(addr);
    this.perNetwork.recordFailure(net);
    return { kind: 'proceed' };
  }

  /** The attempt was right: its pair starts afresh and is remembered as the household's. */
  succeeded(username: string, address: string): void {
    const user = userKey(username);
    const addr = addressKey(address);
    this.perPair.reset(`${user}\u0000${addr}`);
    this.perAddress.forgive(addr);
    this.perNetwork.forgive(`${user}\u0000${networkKey(address)}`);
    this.signedIn.note(user, clientKey(address));
  }

  /** 0 and books the next turn of this user+network, or how long until that turn. */
  private takeTurn(net: string): number {
    const stepMs = userDelayMs(this.perNetwork.failures(net), this.limits.loginFailuresPerUser);
    if (stepMs === 0) return 0;
    const nowMs = this.clock.nowMs();
    const nextMs = this.nextCheckMs.get(net) ?? 0;
    if (nowMs < nextMs) return nextMs - nowMs;
    this.nextCheckMs.delete(net);
    if (this.nextCheckMs.size >= this.maxTurns) this.forgetPastTurns(nowMs);
    this.nextCheckMs.set(net, nowMs + stepMs);
    return 0;
  }

  /** Keeps the map bounded: turns already past go first, else the one due soonest. */
  private forgetPastTurns(nowMs: number): void {
    let soonest: string | undefined;
    let soonestMs = Infinity;
    for (const [net, atMs] of this.nextCheckMs) {
      if (atMs <= nowMs) this.nextCheckMs.delete(net);
      else if (atMs < soonestMs) [soonest, soonestMs] = [net, atMs];
    }
    if (this.nextCheckMs.size >= this.maxTurns && soonest !== undefined) this.nextCheckMs.delete(soonest);
  }
}

/** The spacing between password checks for a user who has this many recent failures. */
export function userDelayMs(failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  const doublings = Math.min(failures - threshold, 16);
  return Math.min(USER_BACKOFF_MAX_MS, USER_BACKOFF_FIRST_MS * 2 ** doublings);
}

const userKey = (username: string) => username.toLowerCase();

export { addressKey } from './address-prefix.js';
