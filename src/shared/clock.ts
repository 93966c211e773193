/** Cancels a timer; calling it twice, or after the timer fired, does nothing. */
export type CancelTimer = () => void;

/**
 * Time source and timers injected into every component (ARCHITECTURE.md, Time): nothing else calls
 * `Date.now()`, `setTimeout` or `setInterval`, so a test drives time with a ManualClock.
 */
export interface Clock {
  nowMs(): number;
  /** Runs `fn` once after `delayMs`. Background timers never keep the process alive (hubd's servers do). */
  after(delayMs: number, fn: () => void): CancelTimer;
  /** Runs `fn` every `intervalMs`, first after one interval. */
  every(intervalMs: number, fn: () => void): CancelTimer;
  /** Resolves after `delayMs` (for retry and backoff loops); an awaited sleep keeps the process alive. */
  sleep(delayMs: number): Promise<void>;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  after(delayMs, fn) {
    const timer = setTimeout(fn, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
  every(intervalMs, fn) {
    const timer = setInterval(fn, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
  sleep: (delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)),
};

interface PendingTimer {
  dueMs: number;
  /** Order of creation: timers due at the same time run in the order they were set. */
  seq: number;
  fn: () => void;
  intervalMs?: number;
}

/** A clock that only moves when told to: `tick(ms)` runs every timer that falls due, in time order. */
export class ManualClock implements Clock {
  private readonly timers = new Set<PendingTimer>();
  private seq = 0;

  constructor(private tsMs: number) {}

  nowMs(): number {
    return this.tsMs;
  }

  after(delayMs: number, fn: () => void): CancelTimer {
    return this.add({ dueMs: this.tsMs + Math.max(0, delayMs), seq: this.seq++, fn });
  }

  every(intervalMs: number, fn: () => void): CancelTimer {
    const step = Math.max(1, intervalMs);
    return this.add({ dueMs: this.tsMs + step, seq: this.seq++, fn, intervalMs: step });
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Timers not yet fired or cancelled (a test can check that a component stopped its own). */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `deltaMs`, firing due timers at their own times (an interval may fire several times). */
  tick(deltaMs: number): void {
    const endMs = this.tsMs + deltaMs;
    for (let next = this.nextDue(endMs); next; next = this.nextDue(endMs)) {
      this.tsMs = Math.max(this.tsMs, next.dueMs);
      if (next.intervalMs === undefined) this.timers.delete(next);
      else {
        next.dueMs += next.intervalMs;
        next.seq = this.seq++;
      }
      next.fn();
    }
    this.tsMs = Math.max(this.tsMs, endMs);
  }

  /**
   * Moves time forward at once, as after a suspend or a clock step: every due timer fires once and an
   * interval resumes from the new time (as Node's own setInterval does after a long stall). For tests
   * that need weeks to pass on a running hub without replaying every flush of those weeks.
   */
  jump(deltaMs: number): void {
    this.tsMs += deltaMs;
    const due = [...this.timers]
      .filter((t) => t.dueMs <= this.tsMs)
      .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq);
    for (const timer of due) {
      if (!this.timers.has(timer)) continue; // cancelled by a timer that fired before it
      if (timer.intervalMs === undefined) this.timers.delete(timer);
      else timer.dueMs = this.tsMs + timer.intervalMs;
      timer.fn();
    }
  }

  /** `tick`, then lets promise callbacks and I/O that the fired timers started run. */
  async tickAsync(deltaMs: number): Promise<void> {
    this.tick(deltaMs);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Kept for existing tests: the same as tick. */
  advanceMs(deltaMs: number): void {
    this.tick(deltaMs);
  }

  private add(timer: PendingTimer): CancelTimer {
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }

  private nextDue(endMs: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers)
      if (t.dueMs <= endMs && (!best || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.seq < best.seq)))
        best = t;
    return best;
  }
}
