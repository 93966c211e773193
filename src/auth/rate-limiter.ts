import type { Clock } from '../shared/clock.js';

interface Window {
  startMs: number;
  failures: number;
}

/**
 * Counts failures per key in a fixed window. When a key reaches its limit, further attempts are
 * refused until the window that began with its first failure ends.
 *
 * At most `maxKeys` windows are held. When a new key finds the map full, expired windows go
 * first, then the active one with the fewest failures (oldest first among equals); a locked
 * window is never dropped, so nobody can clear a lock by failing under many other keys. When
 * every window held is locked, the new key is not counted here (other limits still hold).
 */
export class FailureLimiter {
  private readonly windows = new Map<string, Window>();

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

  /** Keys held now (bounded by maxKeys). */
  get size(): number {
    return this.windows.size;
  }

  recordFailure(key: string): void {
    const w = this.current(key);
    if (w) {
      w.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxKeys && !this.makeRoom()) return;
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

  private current(key: string): Window | undefined {
    const w = this.windows.get(key);
    if (w && this.expired(w)) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private expired(w: Window): boolean {
    return this.clock.nowMs() - w.startMs >= this.windowS * 1000;
  }

  /** Frees one slot or more; false when every window held is locked. */
  private makeRoom(): boolean {
    let fewest: string | undefined;
    let fewestFailures = this.maxFailures;
    for (const [key, w] of this.windows) {
      if (this.expired(w)) this.windows.delete(key);
      else if (w.failures < fewestFailures) {
        fewest = key;
        fewestFailures = w.failures;
      }
    }
    if (this.windows.size < this.maxKeys) return true;
    if (fewest === undefined) return false;
    this.windows.delete(fewest);
    return true;
  }
}
