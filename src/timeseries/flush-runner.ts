import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { BufferBacklog } from './buffer-backlog.js';
import { FlushFailures } from './flush-failures.js';
import { countHeld, countHeldDurably, countLeftAtStop } from './flush-write.js';
import { MissingFilesNotices } from './missing-files.js';
import { applyRetention } from './retention.js';
import type { BufferedPoint, FeedRepo, FeedStore, WriteBuffer } from './ports.js';

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
  /** Points of feeds whose files are gone (the database row remains): dropped at flush. */
  missingFilesDropped: number;
  lastFlushMs: number | null;
  lastFlushDurationMs: number | null;
}

const DAY_MS = 86_400_000;
/**
 * The write-behind flusher: every flushIntervalS it writes each feed's buffered points in one
 * sequential write and removes them from the buffer only once written and fdatasync'ed. A feed
 * whose write fails (ENOSPC, EIO) keeps its points, is retried with backoff and makes the
 * flusher 'degraded' (so /readyz is 503) until it succeeds. At start it repairs the files and
 * writes whatever a crashed hubd left in the buffer; at stop it writes the data and nothing more.
 */
export class FlushRunner implements Component {
  readonly name = 'feed-flusher';
  readonly counters: FlushCounters = {
    flushes: 0,
    pointsWritten: 0,
    pointsDroppedAsOld: 0,
    pointsDropped: 0,
    missingFilesDropped: 0,
    lastFlushMs: null,
    lastFlushDurationMs: null,
  };
  private cancelTimer: CancelTimer | undefined;
  private running: Promise<void> = Promise.resolve();
  private started = false;
  private lastRetentionMs = 0;
  private readonly failures = new FlushFailures();
  private readonly missingFiles = new MissingFilesNotices();
  /** Points still buffered after the final flush at stop: kept in Redis, or lost with this process. */
  readonly unwrittenAtStop = { buffered: 0, lost: 0 };
  /** Feeds written this run whose rollup tail the stop left to later flushes (see stop()). */
  rollupTailsLeftAtStop = 0;
  private readonly writtenThisRun = new Set<number>();

  constructor(
    private readonly repo: FeedRepo,
    private readonly store: FeedStore,
    /** `fallback`: the in-process buffer, whose points do not outlive hubd. */
    private readonly buffers: { all(): WriteBuffer[]; fallback?: WriteBuffer },
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
      try {
        if (!this.store.exists(feed.id)) {
          this.log.error(
            { feedId: feed.id },
            'feed files are missing; its points will be dropped; run "hub feeds check"',
          );
          continue;
        }
        const { truncatedBytes } = await this.store.repair(feed.id);
        if (truncatedBytes)
          this.log.warn({ feedId: feed.id, truncatedBytes }, 'cut a partial value off a .dat');
      } catch (err) {
        this.log.error({ feedId: feed.id, err: describeError(err) }, 'feed files could not be checked');
      }
    }
    this.started = true;
    const held = await countHeldDurably(this.buffers.all(), this.buffers.fallback).catch(() => 0);
    if (held)
      this.log.warn({ points: held }, 'points buffered before this start (kept in Redis); writing them');
    await this.flush();
    this.cancelTimer = this.clock.every(this.settings.flushIntervalS * 1000, () => void this.flush());
  }

  async stop(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (!this.started) return;
    this.started = false;
    await this.flush(true);
    // No forced rollup persist here: up to 3 fsyncs per feed would outlast main.ts's stop deadline
    // on a slow SD card (200 feeds × 20 ms) and exit mid-write. A tail not persisted costs nothing:
    // reads sum it from the .dat, and a later flush persists it (ADR 003).
    this.rollupTailsLeftAtStop = this.writtenThisRun.size;
    if (this.writtenThisRun.size)
      this.log.info(
        { feeds: this.writtenThisRun.size },
        'rollup tails left to the flushes after the next start; reads sum them from the data',
      );
    await this.countUnwritten();
  }

  /** Says what the final flush could not write; the embedded Redis is kept if it holds any. */
  private async countUnwritten(): Promise<void> {
    const left = await countLeftAtStop(this.buffers.all(), this.buffers.fallback, this.log);
    this.unwrittenAtStop.buffered += left.buffered;
    this.unwrittenAtStop.lost += left.lost;
  }

  /** Writes every buffered point; one flush at a time. `retryNow` ignores failing feeds' backoff. */
  flush(retryNow = false): Promise<void> {
    this.running = this.running
      .then(() => this.flushOnce(retryNow))
      .catch((err) => {
        this.failures.flushError = `flush failed: ${describeError(err)}`;
        this.log.error({ err: describeError(err) }, 'flush failed; the points stay buffered');
      });
    return this.running;
  }

  /**
   * Runs `fn` (a repair, a rollup rebuild) with the flusher held off: what is buffered is written
   * first, and no flush starts until `fn` ends, so it never meets a half-written .dat.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.flush(true).then(fn);
    this.running = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  status(): ComponentStatus {
    const failing = this.failures.failingWrites();
    const reasons = this.failures.reasons();
    const reason = reasons.join('; ');
    const detail = {
      flushIntervalS: this.settings.flushIntervalS,
      ...this.counters,
      ...this.ingestCounters(),
      ...(this.backlog && {
        bufferedPoints: this.backlog.heldPoints,
        maxBufferedPoints: this.backlog.maxPoints,
      }),
      ...(reasons.length && { reason }),
      ...(failing.length && { failingFeeds: failing }),
    };
    if (!this.started) return { state: 'stopped', detail };
    return { state: reasons.length ? 'degraded' : 'ready', detail };
  }

  private async flushOnce(retryNow: boolean): Promise<void> {
    const t0 = performance.now();
    const errors: string[] = [];
    for (const buffer of this.buffers.all()) {
      let feedIds: number[];
      try {
        feedIds = await buffer.feedsWithPoints();
      } catch (err) {
        errors.push(`reading the buffer failed: ${describeError(err)}`);
        continue;
      }
      for (const feedId of feedIds) {
        // One feed's database or buffer error must not stop the others, nor pass unnoticed.
        try {
          await this.flushFeed(buffer, feedId, retryNow);
        } catch (err) {
          errors.push(`flushing feed ${feedId} failed: ${describeError(err)}`);
        }
      }
    }
    try {
      await this.retryRollups();
      const nowMs = this.clock.nowMs();
      if (nowMs - this.lastRetentionMs >= DAY_MS) {
        this.lastRetentionMs = nowMs;
        await applyRetention(this.repo, this.store, nowMs, this.log);
      }
      await this.countBacklog();
      await this.forgetSettled();
    } catch (err) {
      errors.push(`after the writes: ${describeError(err)}`);
    }
    this.failures.flushError = errors.length ? errors.join('; ') : undefined;
    if (errors.length) this.log.error({ errors }, 'flush incomplete; the points stay buffered');
    this.counters.flushes++;
    this.counters.lastFlushMs = this.clock.nowMs();
    this.counters.lastFlushDurationMs = Math.round(performance.now() - t0);
  }

  private async flushFeed(buffer: WriteBuffer, feedId: number, retryNow: boolean): Promise<void> {
    if (!retryNow && this.failures.waiting(feedId, this.clock.nowMs())) return;
    const points = await buffer.peek(feedId);
    if (points.length === 0) return;
    if (!this.repo.get(feedId)) {
      // Only a feed the database no longer has loses its points (deleted meanwhile).
      await buffer.discard(feedId);
      this.recovered(feedId, true);
      return;
    }
    let filesGone = false;
    try {
      if (this.store.exists(feedId)) await this.writeFeed(feedId, points);
      else {
        // An unusable feeds directory (not mounted, EIO) proves nothing: the points wait for it.
        const problem = this.store.directoryProblem();
        if (problem) throw new Error(`feed ${feedId} has no files and the feeds directory ${problem}`);
        filesGone = true;
      }
    } catch (err) {
      this.failed(feedId, points.length, err);
      return;
    }
    if (filesGone) {
      // Only this feed's files are gone: its points can never be written, and must not fill the cap.
      await buffer.remove(feedId, points.length);
      this.droppedMissing(feedId, points.length);
      this.recovered(feedId, true);
      return;
    }
    // Only now, written and fdatasync'ed, do the points leave the buffer.
    await buffer.remove(feedId, points.length);
    this.recovered(feedId);
    this.writtenThisRun.add(feedId);
    await this.persistRollups(feedId);
  }

  private droppedMissing(feedId: number, points: number): void {
    this.counters.missingFilesDropped += points;
    const logged = this.missingFiles.dropped(feedId, points, this.clock.nowMs());
    if (logged)
      this.log.error(
        { feedId, points: logged },
        'feed files are missing; buffered points dropped (logged hourly); run "hub feeds check"',
      );
  }

  /** Rollups are rebuilt from the .dat if need be: a failure here costs no points. */
  private async persistRollups(feedId: number): Promise<void> {
    try {
      await this.store.persistRollups(feedId, false);
      this.failures.rollupsCleared(feedId);
    } catch (err) {
      this.failures.rollupsFailed(feedId, err);
      this.log.error({ feedId, err: describeError(err) }, 'rollups not persisted; the points are written');
    }
  }

  private async retryRollups(): Promise<void> {
    for (const feedId of this.failures.failingRollups()) {
      if (this.repo.get(feedId) && this.store.exists(feedId)) await this.persistRollups(feedId);
      else this.failures.rollupsCleared(feedId);
    }
  }

  /** Counters move only once the write succeeded. */
  private async writeFeed(feedId: number, points: BufferedPoint[]): Promise<void> {
    const { written, old, refused, refusals } = await this.store.writePoints(feedId, points);
    for (const r of refusals)
      this.log.error({ feedId, points: r.points, err: r.reason }, 'points refused by the feed files');
    this.counters.pointsWritten += written;
    this.counters.pointsDroppedAsOld += old;
    this.counters.pointsDropped += refused;
  }

  private failed(feedId: number, points: number, err: unknown): void {
    const nowMs = this.clock.nowMs();
    const { attempts, retryAtMs } = this.failures.writeFailed(
      feedId,
      err,
      nowMs,
      this.settings.flushIntervalS,
    );
    if (this.backlog) this.backlog.reason = this.failures.publicReason();
    this.log.error(
      { feedId, points, attempts, retryInS: (retryAtMs - nowMs) / 1000, err: describeError(err) },
      'feed write failed; its points stay buffered',
    );
  }

  /** Written again, or (`gone`) deleted, cleared or with nothing left buffered. */
  private recovered(feedId: number, gone = false): void {
    if (!this.failures.writeCleared(feedId)) return;
    this.log.info({ feedId }, gone ? 'failing feed has no buffered points left' : 'feed written again');
    if (this.backlog) this.backlog.reason = this.failures.publicReason();
  }

  /** A failing feed that was deleted or cleared must not hold readiness down forever. */
  private async forgetSettled(): Promise<void> {
    const failing = this.failures.failingWrites();
    if (failing.length === 0) return;
    const held = new Set<number>();
    for (const buffer of this.buffers.all()) for (const id of await buffer.feedsWithPoints()) held.add(id);
    for (const feedId of failing)
      if (!held.has(feedId) || !this.repo.get(feedId)) this.recovered(feedId, true);
  }

  /** Sets the backlog from what the buffers hold now. */
  private async countBacklog(): Promise<void> {
    if (!this.backlog) return;
    let held = 0;
    for (const buffer of this.buffers.all()) held += await countHeld(buffer);
    this.backlog.heldPoints = held;
  }
}
