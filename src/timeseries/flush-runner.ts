import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { BufferBacklog } from './buffer-backlog.js';
import type { BufferedPoint, FeedRepo, FeedStore, WriteBuffer } from './ports.js';
import { latestPerSlot, PaddingLimitError } from './write-plan.js';

export interface FlushSettings {
  flushIntervalS: number;
}

export interface FlushCounters {
  flushes: number;
  pointsWritten: number;
  /** Points the files refused (a gap beyond the padding cap), counted and not retried. */
  pointsDropped: number;
  /** Points older than their feed's start, or behind a later one of the same batch (PHPFina rules). */
  pointsDroppedAsOld: number;
  lastFlushMs: number | null;
  lastFlushDurationMs: number | null;
}

const DAY_MS = 86_400_000;
/** A failing feed is retried after 1, 2, 4 … flush intervals, at most this far apart. */
const MAX_RETRY_DELAY_MS = 300_000;

/** A feed whose points could not be written: they stay buffered until a retry succeeds. */
interface FeedFailure {
  reason: string;
  attempts: number;
  retryAtMs: number;
}

/**
 * The write-behind flusher: every flushIntervalS it writes each feed's buffered points in one
 * sequential write and removes them from the buffer only once written and fdatasync'ed. A feed
 * whose write fails (ENOSPC, EIO) keeps its points, is retried with backoff and makes the
 * flusher 'degraded' (so /readyz is 503) until it succeeds. At start it repairs the files and
 * writes whatever a crashed hubd left in the buffer; at stop it flushes and persists rollups.
 */
export class FlushRunner implements Component {
  readonly name = 'feed-flusher';
  readonly counters: FlushCounters = {
    flushes: 0,
    pointsWritten: 0,
    pointsDroppedAsOld: 0,
    pointsDropped: 0,
    lastFlushMs: null,
    lastFlushDurationMs: null,
  };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private started = false;
  private lastRetentionMs = 0;
  private readonly failing = new Map<number, FeedFailure>();

  constructor(
    private readonly repo: FeedRepo,
    private readonly store: FeedStore,
    private readonly buffers: { all(): WriteBuffer[] },
    private readonly clock: Clock,
    private readonly settings: FlushSettings,
    private readonly log: Logger,
    /** Ingest counters shown beside the flusher's own in /readyz. */
    private readonly ingestCounters: () => Record<string, number> = () => ({}),
    /** Points waiting, against the cap past which FeedService refuses new ones. */
    private readonly backlog?: BufferBacklog,
  ) {}

  async start(): Promise<void> {
    for (const feed of this.repo.list()) {
      if (!this.store.exists(feed.id)) {
        this.log.error({ feedId: feed.id }, 'feed files are missing; run "hub feeds check"');
        continue;
      }
      const { truncatedBytes } = this.store.repair(feed.id);
      if (truncatedBytes)
        this.log.warn({ feedId: feed.id, truncatedBytes }, 'cut a partial value off a .dat');
    }
    this.started = true;
    await this.flush();
    this.timer = setInterval(() => void this.flush(), this.settings.flushIntervalS * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.started) return;
    this.started = false;
    await this.flush(true);
    for (const feed of this.repo.list()) {
      try {
        if (this.store.exists(feed.id)) this.store.persistRollups(feed.id, true);
      } catch (err) {
        this.log.error({ feedId: feed.id, err: describeError(err) }, 'rollups not persisted at stop');
      }
    }
  }

  /** Writes every buffered point; one flush at a time. `retryNow` ignores failing feeds' backoff. */
  flush(retryNow = false): Promise<void> {
    this.running = this.running
      .then(() => this.flushOnce(retryNow))
      .catch((err) => {
        this.log.error({ err: describeError(err) }, 'flush failed; the points stay buffered');
      });
    return this.running;
  }

  status(): ComponentStatus {
    const failures = [...this.failing.entries()];
    const reason = failures.map(([, f]) => f.reason).join('; ');
    const detail = {
      flushIntervalS: this.settings.flushIntervalS,
      ...this.counters,
      ...this.ingestCounters(),
      ...(this.backlog && {
        bufferedPoints: this.backlog.heldPoints,
        maxBufferedPoints: this.backlog.maxPoints,
      }),
      ...(failures.length && { reason, failingFeeds: failures.map(([id]) => id) }),
    };
    if (!this.started) return { state: 'stopped', detail };
    return { state: failures.length ? 'degraded' : 'ready', detail };
  }

  private async flushOnce(retryNow: boolean): Promise<void> {
    const t0 = performance.now();
    for (const buffer of this.buffers.all()) {
      for (const feedId of await buffer.feedsWithPoints()) {
        const failure = this.failing.get(feedId);
        if (failure && !retryNow && this.clock.nowMs() < failure.retryAtMs) continue;
        const points = await buffer.peek(feedId);
        if (points.length === 0) continue;
        if (!this.repo.get(feedId) || !this.store.exists(feedId)) {
          await buffer.discard(feedId);
          continue;
        }
        try {
          this.writeFeed(feedId, points);
          // Only now, written and fdatasync'ed, do the points leave the buffer.
          await buffer.remove(feedId, points.length);
          this.store.persistRollups(feedId, false);
          this.recovered(feedId);
        } catch (err) {
          this.failed(feedId, points.length, err);
        }
      }
    }
    this.applyRetention();
    await this.countBacklog();
    this.counters.flushes++;
    this.counters.lastFlushMs = this.clock.nowMs();
    this.counters.lastFlushDurationMs = Math.round(performance.now() - t0);
  }

  /**
   * Applies the buffer's rule (latestPerSlot: the later arrival wins a slot), written in runs of
   * one padding mode. Throws on a write error, leaving the points to the caller; a rewrite of
   * the same points after a partial write gives the same file. Counters move only on success.
   */
  private writeFeed(feedId: number, points: BufferedPoint[]): void {
    const feed = this.store.read(feedId);
    const ordered = latestPerSlot(points, feed.intervalS);
    let old = 0;
    let refused = 0;
    let runStart = 0;
    for (let i = 1; i <= ordered.length; i++) {
      if (i < ordered.length && ordered[i]!.join === ordered[runStart]!.join) continue;
      const run = ordered.slice(runStart, i);
      runStart = i;
      try {
        const plan = this.store.write(feedId, run, run[0]!.join);
        old += plan.droppedBeforeStart + plan.droppedOutOfOrder;
      } catch (err) {
        if (!(err instanceof PaddingLimitError)) throw err;
        refused += run.length; // never writable: counted and dropped, as emoncms does
        this.log.error({ feedId, points: run.length, err: err.message }, 'points refused by the feed files');
      }
    }
    // A point replaced by a later arrival in its slot counts as written, as if flushed in between.
    this.counters.pointsWritten += points.length - old - refused;
    this.counters.pointsDroppedAsOld += old;
    this.counters.pointsDropped += refused;
  }

  private failed(feedId: number, points: number, err: unknown): void {
    const attempts = (this.failing.get(feedId)?.attempts ?? 0) + 1;
    const delayMs = Math.min(
      Math.max(MAX_RETRY_DELAY_MS, this.settings.flushIntervalS * 1000),
      this.settings.flushIntervalS * 1000 * 2 ** (attempts - 1),
    );
    const reason = `writing feed ${feedId} failed: ${describeError(err)}`;
    this.failing.set(feedId, { reason, attempts, retryAtMs: this.clock.nowMs() + delayMs });
    if (this.backlog) this.backlog.reason = reason;
    this.log.error(
      { feedId, points, attempts, retryInS: delayMs / 1000, err: describeError(err) },
      'feed write failed; its points stay buffered',
    );
  }

  private recovered(feedId: number): void {
    if (!this.failing.delete(feedId)) return;
    this.log.info({ feedId }, 'feed written again');
    if (this.backlog) this.backlog.reason = [...this.failing.values()][0]?.reason;
  }

  /** Sets the backlog from what the buffers hold now. */
  private async countBacklog(): Promise<void> {
    if (!this.backlog) return;
    let held = 0;
    for (const buffer of this.buffers.all())
      for (const feedId of await buffer.feedsWithPoints()) held += await buffer.length(feedId);
    this.backlog.heldPoints = held;
  }

  /** Once a day, trims full-resolution data past each feed's retention; rollups keep it. */
  private applyRetention(): void {
    const nowMs = this.clock.nowMs();
    if (nowMs - this.lastRetentionMs < DAY_MS) return;
    this.lastRetentionMs = nowMs;
    for (const feed of this.repo.list()) {
      if (!feed.retentionDays || !this.store.exists(feed.id)) continue;
      const cutS = Math.floor(nowMs / 1000) - feed.retentionDays * 86_400;
      try {
        const { startTimeS, npoints } = this.store.read(feed.id);
        if (npoints > 0 && startTimeS < cutS) {
          this.store.trim(feed.id, cutS);
          this.log.info({ feedId: feed.id, before: cutS }, 'retention: trimmed full-resolution data');
        }
      } catch (err) {
        // The trim is journalled (repair() finishes or undoes it); tomorrow's pass tries again.
        this.log.error({ feedId: feed.id, err: describeError(err) }, 'retention trim failed');
      }
    }
  }
}
