import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
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
  lastFlushMs: number | null;
  lastFlushDurationMs: number | null;
}

const DAY_MS = 86_400_000;

/**
 * The write-behind flusher: every flushIntervalS it writes each feed's buffered points in one
 * sequential write, then removes them from the buffer. At start it repairs the files and writes
 * whatever a crashed hubd left in the buffer; at stop it flushes and persists rollups.
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

  constructor(
    private readonly repo: FeedRepo,
    private readonly store: FeedStore,
    private readonly buffers: { all(): WriteBuffer[] },
    private readonly clock: Clock,
    private readonly settings: FlushSettings,
    private readonly log: Logger,
    /** Ingest counters shown beside the flusher's own in /readyz. */
    private readonly ingestCounters: () => Record<string, number> = () => ({}),
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
    await this.flush();
    for (const feed of this.repo.list()) {
      if (this.store.exists(feed.id)) this.store.persistRollups(feed.id, true);
    }
  }

  /** Writes every buffered point; one flush at a time. */
  flush(): Promise<void> {
    this.running = this.running
      .then(() => this.flushOnce())
      .catch((err) => {
        this.log.error({ err: describeError(err) }, 'flush failed; the points stay buffered');
      });
    return this.running;
  }

  status(): ComponentStatus {
    return {
      state: this.started ? 'ready' : 'stopped',
      detail: { flushIntervalS: this.settings.flushIntervalS, ...this.counters, ...this.ingestCounters() },
    };
  }

  private async flushOnce(): Promise<void> {
    const t0 = performance.now();
    for (const buffer of this.buffers.all()) {
      for (const feedId of await buffer.feedsWithPoints()) {
        const points = await buffer.peek(feedId);
        if (points.length === 0) continue;
        if (!this.repo.get(feedId) || !this.store.exists(feedId)) {
          await buffer.discard(feedId);
          continue;
        }
        this.writeFeed(feedId, points);
        await buffer.remove(feedId, points.length);
        this.store.persistRollups(feedId, false);
      }
    }
    this.applyRetention();
    this.counters.flushes++;
    this.counters.lastFlushMs = this.clock.nowMs();
    this.counters.lastFlushDurationMs = Math.round(performance.now() - t0);
  }

  /** Sorted by time (stable: the later arrival wins a slot), written in runs of one padding mode. */
  private writeFeed(feedId: number, points: BufferedPoint[]): void {
    const sorted = points
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.tsS - b.p.tsS || a.i - b.i)
      .map(({ p }) => p);
    let runStart = 0;
    for (let i = 1; i <= sorted.length; i++) {
      if (i < sorted.length && sorted[i]!.join === sorted[runStart]!.join) continue;
      const run = sorted.slice(runStart, i);
      try {
        const plan = this.store.write(feedId, run, run[0]!.join);
        const old = plan.droppedBeforeStart + plan.droppedOutOfOrder;
        this.counters.pointsDroppedAsOld += old;
        this.counters.pointsWritten += run.length - old;
      } catch (err) {
        this.counters.pointsDropped += run.length;
        this.log.error(
          { feedId, points: run.length, err: describeError(err) },
          'points refused by the feed files',
        );
      }
      runStart = i;
    }
  }

  /** Once a day, trims full-resolution data past each feed's retention; rollups keep it. */
  private applyRetention(): void {
    const nowMs = this.clock.nowMs();
    if (nowMs - this.lastRetentionMs < DAY_MS) return;
    this.lastRetentionMs = nowMs;
    for (const feed of this.repo.list()) {
      if (!feed.retentionDays || !this.store.exists(feed.id)) continue;
      const cutS = Math.floor(nowMs / 1000) - feed.retentionDays * 86_400;
      const { startTimeS, npoints } = this.store.read(feed.id);
      if (npoints > 0 && startTimeS < cutS) {
        this.store.trim(feed.id, cutS);
        this.log.info({ feedId: feed.id, before: cutS }, 'retention: trimmed full-resolution data');
      }
    }
  }
}
