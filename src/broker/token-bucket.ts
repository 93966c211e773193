import type { Clock } from '../shared/clock.js';

/** A per-client publish budget: `ratePerS` tokens a second, bursts up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.lastMs = clock.nowMs();
  }

  /** Takes one token; false when the client has published faster than allowed. */
  take(): boolean {
    const nowMs = this.clock.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.ratePerS);
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
