import type { Clock } from '../shared/clock.js';

export const RECENT_SIGN_IN_MS = 30 * 24 * 3_600_000;

/**
 * Which addresses signed in successfully as which user lately (30 days). Bounded: when full, the
 * oldest sign-in is forgotten; only a right password adds an entry, so a guesser cannot flush it.
 */
export class RecentSignIns {
  /** `user\0address` → when it last signed in; Map order is oldest sign-in first. */
  private readonly lastMs = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
    private readonly rememberMs = RECENT_SIGN_IN_MS,
  ) {}

  note(key: string): void {
    this.lastMs.delete(key);
    this.lastMs.set(key, this.clock.nowMs());
    if (this.lastMs.size > this.maxEntries) {
      const oldest = this.lastMs.keys().next().value;
      if (oldest !== undefined) this.lastMs.delete(oldest);
    }
  }

  has(key: string): boolean {
    const at = this.lastMs.get(key);
    if (at === undefined) return false;
    if (this.clock.nowMs() - at < this.rememberMs) return true;
    this.lastMs.delete(key);
    return false;
  }
}
