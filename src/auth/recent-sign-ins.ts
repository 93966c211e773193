import type { Clock } from '../shared/clock.js';
import type { SignInStore } from './ports.js';

export const RECENT_SIGN_IN_MS = 30 * 24 * 3_600_000;
/** A sign-in already remembered is written again at most this often: never a write per login. */
export const SIGN_IN_REFRESH_MS = 24 * 3_600_000;

/**
 * Which clients signed in successfully as which user lately (30 days), kept in memory and in the
 * store so a restart forgets nobody. Bounded: when full, the oldest sign-in is forgotten; only a
 * right password adds an entry, so a guesser cannot flush it.
 */
export class RecentSignIns {
  /** `user\0client` → when its sign-in was last stored; Map order is oldest first. */
  private readonly lastMs = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly store?: SignInStore,
    private readonly maxEntries = 10_000,
    private readonly rememberMs = RECENT_SIGN_IN_MS,
  ) {}

  /** Read on first use, not at construction: the hub migrates its database only when it starts. */
  private loaded = false;

  private load(): void {
    this.loaded = true;
    if (!this.store) return;
    const sinceMs = this.clock.nowMs() - this.rememberMs;
    this.store.deleteBefore(sinceMs);
    for (const s of this.store.newest(this.maxEntries).reverse()) {
      const key = keyOf(s.user, s.client);
      if (!this.lastMs.has(key)) this.lastMs.set(key, s.atMs);
    }
  }

  note(user: string, client: string): void {
    if (!this.loaded) this.load();
    const key = keyOf(user, client);
    const nowMs = this.clock.nowMs();
    const at = this.lastMs.get(key);
    if (at !== undefined && nowMs - at < SIGN_IN_REFRESH_MS) return;
    this.lastMs.delete(key);
    this.lastMs.set(key, nowMs);
    this.store?.save({ user, client, atMs: nowMs });
    if (this.lastMs.size > this.maxEntries) {
      const oldest = this.lastMs.keys().next().value;
      if (oldest !== undefined) this.lastMs.delete(oldest);
    }
  }

  has(user: string, client: string): boolean {
    if (!this.loaded) this.load();
    const key = keyOf(user, client);
    const at = this.lastMs.get(key);
    if (at === undefined) return false;
    if (this.clock.nowMs() - at < this.rememberMs) return true;
    this.lastMs.delete(key);
    return false;
  }
}

const keyOf = (user: string, client: string) => `${user}\u0000${client}`;
