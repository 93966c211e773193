import type { Clock } from '../shared/clock.js';

/**
 * Counts failures per key in a fixed window. When a key reaches its limit, further attempts are
 * refused until the window that began with its first failure ends.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures: number,
    private readonly windowS: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds until the key may try again, or 0 if it may try now. */
  retryAfterS(key: string): number {
    const w = this.current(key);
    if (!w || w.failures < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((w.startMs + this.windowS * 1000 - this.clock.nowMs()) / 1000));
  }

  /** Failures of the key in its current window. */
  failures(key: string): number {
    return this.current(key)?.failures ?? 0;
  }

  recordFailure(key: string): void {
    const w = this.current(key);
    if (w) {
      w.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.evictExpired();
    this.windows.set(key, { startMs: this.clock.nowMs(), failures: 1 });
  }

  /** Takes back one failure (an attempt counted before it was known to succeed). */
  forgive(key: string): void {
    const w = this.current(key);
    if (w && --w.failures <= 0) this.windows.delete(key);
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): { startMs: number; failures: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.clock.nowMs() - w.startMs >= this.windowS * 1000) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private evictExpired(): void {
    for (const key of [...this.windows.keys()]) this.current(key);
    // Still full after expiry: forget the oldest window rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }
}
