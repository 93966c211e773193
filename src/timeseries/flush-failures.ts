import { describeError } from '../shared/errors.js';
import { publicReason } from './buffer-backlog.js';

/** A failing feed is retried after 1, 2, 4 … flush intervals, at most this far apart. */
const MAX_RETRY_DELAY_MS = 300_000;

/** A feed whose points could not be written: they stay buffered until a retry succeeds. */
export interface FeedFailure {
  reason: string;
  /** The reason without paths, for devices (BufferFullError). */
  publicReason: string;
  attempts: number;
  retryAtMs: number;
}

/**
 * What keeps the flusher 'degraded': feeds whose points could not be written (retried with
 * backoff), feeds whose rollups could not be persisted, and a flush that could not look at every
 * feed. Pure bookkeeping; the flusher does the I/O.
 */
export class FlushFailures {
  private readonly writes = new Map<number, FeedFailure>();
  private readonly rollups = new Map<number, string>();
  /** Why the last flush could not look at every feed (a buffer or the database threw). */
  flushError: string | undefined;

  /** Records a failed write; returns the delay before its retry. */
  writeFailed(feedId: number, err: unknown, nowMs: number, flushIntervalS: number): FeedFailure {
    const attempts = (this.writes.get(feedId)?.attempts ?? 0) + 1;
    const intervalMs = flushIntervalS * 1000;
    const delayMs = Math.min(Math.max(MAX_RETRY_DELAY_MS, intervalMs), intervalMs * 2 ** (attempts - 1));
    const failure = {
      reason: `writing feed ${feedId} failed: ${describeError(err)}`,
      publicReason: publicReason(feedId, err),
      attempts,
      retryAtMs: nowMs + delayMs,
    };
    this.writes.set(feedId, failure);
    return failure;
  }

  /** A feed written again, or with nothing left to write: true if it was failing. */
  writeCleared(feedId: number): boolean {
    return this.writes.delete(feedId);
  }

  waiting(feedId: number, nowMs: number): boolean {
    const failure = this.writes.get(feedId);
    return failure !== undefined && nowMs < failure.retryAtMs;
  }

  failingWrites(): number[] {
    return [...this.writes.keys()];
  }

  rollupsFailed(feedId: number, err: unknown): void {
    this.rollups.set(feedId, `persisting the rollups of feed ${feedId} failed: ${describeError(err)}`);
  }

  rollupsCleared(feedId: number): void {
    this.rollups.delete(feedId);
  }

  failingRollups(): number[] {
    return [...this.rollups.keys()];
  }

  /** Every reason, for /readyz (which shows it to signed-in users only). */
  reasons(): string[] {
    return [
      ...[...this.writes.values()].map((f) => f.reason),
      ...this.rollups.values(),
      ...(this.flushError ? [this.flushError] : []),
    ];
  }

  /** The first write failure as a device may see it. */
  publicReason(): string | undefined {
    return [...this.writes.values()][0]?.publicReason;
  }
}
