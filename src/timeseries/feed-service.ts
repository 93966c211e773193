import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import { admitBounded, BufferBacklog, type BoundedBuffer } from './buffer-backlog.js';
import { isAllowedInterval, ALLOWED_INTERVALS_S } from './phpfina-format.js';
import type { ImportCandidate } from './emoncms-import.js';
import { checkRetention, checkText, pointProblem } from './feed-validation.js';
import type { BufferedPoint, FeedChanges, FeedRecord, FeedRepo, FeedStore, WriteBuffer } from './ports.js';
import { ReadError, type ReadQuery, type Sample } from './read-query.js';

export interface FeedServiceSettings {
  /** Points stamped further than this into the future are refused. */
  maxFutureS: number;
  timeZone: string;
  /** Most points waiting in the write-behind buffers; past it new points are refused (503). */
  maxBufferedPoints?: number;
}

/** Which write-behind buffer takes new points now, which to read and flush, and the last resort. */
export interface BufferChoice {
  current(): WriteBuffer;
  all(): WriteBuffer[];
  /** The bounded in-process buffer, used while Redis is unreachable. */
  fallback: WriteBuffer & BoundedBuffer;
}

/** Typed by the caller; lengths, characters, intervals and retention are checked here. */
export interface NewFeedInput {
  ownerId: number;
  name: string;
  intervalS: number;
  tag?: string;
  unit?: string;
  public?: boolean;
  retentionDays?: number | null;
}

/** Counters shown in /readyz: every accepted and every refused or dropped point is counted. */
export interface IngestCounters {
  accepted: number;
  refused: number;
}

/**
 * Feeds: metadata in SQLite, data in PHPFina files, new points through the write-behind buffer.
 * `buffer()` names the buffer in use now: Redis when it answers, else the bounded memory one.
 */
export class FeedService {
  readonly counters: IngestCounters = { accepted: 0, refused: 0 };
  /** Points waiting for the flusher; shared with it, which recounts them after each flush. */
  readonly backlog: BufferBacklog;
  /** Feed records by id, filled on first use; every change goes through this service. */
  private readonly known = new Map<number, FeedRecord>();
  private readonly missing = new Set<number>();

  constructor(
    private readonly repo: FeedRepo,
    private readonly store: FeedStore,
    private readonly buffers: BufferChoice,
    private readonly clock: Clock,
    private readonly settings: FeedServiceSettings,
  ) {
    this.backlog = new BufferBacklog(settings.maxBufferedPoints ?? Infinity);
  }

  /** With `id`, the feed takes exactly that id (an emoncms import), refused if it is taken. */
  create(input: NewFeedInput, id?: number): FeedRecord {
    if (id !== undefined && this.isIdTaken(id))
      throw new UserError(`feed id ${id} is taken`, 409, 'feed_id_taken');
    const intervalS = Number(input.intervalS);
    if (!isAllowedInterval(intervalS)) {
      throw new UserError(
        `interval must be one of ${ALLOWED_INTERVALS_S.join(', ')} seconds`,
        400,
        'invalid_interval',
      );
    }
    const feed = this.repo.insert(
      {
        ownerId: input.ownerId,
        name: checkText(input.name, 'name', 1),
        tag: checkText(input.tag ?? '', 'tag', 0),
        unit: checkText(input.unit ?? '', 'unit', 0),
        intervalS,
        public: input.public === true,
        retentionDays: checkRetention(input.retentionDays),
        createdAtMs: this.clock.nowMs(),
      },
      id,
    );
    try {
      this.store.create(feed.id, intervalS);
    } catch (err) {
      // A row without files would take points only to have the flusher refuse them.
      void this.undoCreate(feed.id);
      throw err;
    }
    // Ingest may have asked about this id before (a process list naming a deleted or not yet
    // imported feed): it must take points at once, not after a restart.
    this.missing.delete(feed.id);
    return feed;
  }

  /** A feed row or feed files hold this id. */
  isIdTaken(id: number): boolean {
    return this.repo.get(id) !== undefined || this.store.exists(id);
  }

  /**
   * Creates a feed from a verified emoncms PHPFina feed and copies its data: under the emoncms
   * id when `keepId` (dashboards and process lists name feeds by id), else the next free one.
   * Refuses a tag:name that exists already, as emoncms's feed create does.
   */
  async importFeed(
    candidate: ImportCandidate,
    ownerId: number,
    sourceDat: string,
    keepId = true,
  ): Promise<FeedRecord> {
    const same = this.repo.list().find((f) => f.tag === candidate.tag && f.name === candidate.name);
    if (same)
      throw new UserError(
        `feed already exists: "${candidate.tag}:${candidate.name}" is feed ${same.id}`,
        409,
        'feed_exists',
      );
    const feed = this.create(
      {
        ownerId,
        name: candidate.name,
        tag: candidate.tag,
        unit: candidate.unit,
        intervalS: candidate.intervalS,
        public: candidate.public,
      },
      keepId ? candidate.emoncmsId : undefined,
    );
    try {
      await this.store.importData(feed.id, candidate, sourceDat, candidate.npoints);
    } catch (err) {
      // Half an import would keep the id taken, so a re-run after freeing space would refuse it.
      await this.undoCreate(feed.id);
      throw err;
    }
    return feed;
  }

  /** Removes a feed whose files could not be made (ENOSPC): its row and whatever files exist. */
  private undoCreate(id: number): Promise<void> {
    // Leftover files of a feed without a row are reported by "hub feeds check"; the id stays taken.
    const removed = this.store.delete(id).catch(() => {});
    this.repo.delete(id);
    this.known.delete(id);
    return removed;
  }

  /** Verifies every feed's files; with `repair`, fixes what can be fixed. */
  async check(repair: boolean): Promise<{ id: number; problems: string[] }[]> {
    const results: { id: number; problems: string[] }[] = [];
    for (const feed of this.repo.list()) {
      const problems: string[] = [];
      results.push({ id: feed.id, problems });
      if (!this.store.exists(feed.id)) {
        problems.push('its files are missing');
        continue;
      }
      const stored = this.store.read(feed.id);
      if (stored.intervalS !== feed.intervalS)
        problems.push(`.meta says interval ${stored.intervalS}, the database ${feed.intervalS}`);
      if (repair) {
        const { truncatedBytes } = await this.store.repair(feed.id);
        if (truncatedBytes) problems.push(`cut ${truncatedBytes} bytes of a partial value (repaired)`);
        await this.store.rebuildRollups(feed.id);
      } else {
        const extra = this.store.partialBytes(feed.id);
        if (extra) problems.push(`.dat ends in ${extra} bytes of a partial value (run with --repair)`);
      }
    }
    return results;
  }

  list(): FeedRecord[] {
    return this.repo.list();
  }

  /** Served from memory: a post per reading must not touch SQLite (ARCHITECTURE.md, Storage). */
  get(id: number): FeedRecord {
    const feed = this.known.get(id) ?? this.repo.get(id);
    if (feed) this.known.set(id, feed);
    if (!feed) throw new UserError(`feed ${id} does not exist`, 404, 'feed_not_found');
    return feed;
  }

  /** The feed file's interval, start and length (points still in the buffer not counted). */
  meta(id: number): { intervalS: number; startTimeS: number; npoints: number } {
    this.get(id);
    return this.store.read(id);
  }

  /** Cheap enough per reading: answers from memory after the first question about an id. */
  exists(id: number): boolean {
    if (this.known.has(id)) return true;
    if (this.missing.has(id)) return false;
    const feed = this.repo.get(id);
    if (feed) this.known.set(id, feed);
    else this.missing.add(id);
    return feed !== undefined;
  }

  update(id: number, changes: FeedChanges): FeedRecord {
    this.get(id);
    const valid: FeedChanges = {};
    if (changes.name !== undefined) valid.name = checkText(changes.name, 'name', 1);
    if (changes.tag !== undefined) valid.tag = checkText(changes.tag, 'tag', 0);
    if (changes.unit !== undefined) valid.unit = checkText(changes.unit, 'unit', 0);
    if (changes.public !== undefined) valid.public = changes.public === true;
    if (changes.retentionDays !== undefined) valid.retentionDays = checkRetention(changes.retentionDays);
    this.repo.update(id, valid);
    this.known.delete(id);
    return this.get(id);
  }

  async clear(id: number): Promise<void> {
    this.get(id);
    for (const buffer of this.buffers.all()) await buffer.discard(id);
    await this.store.clear(id);
  }

  async delete(id: number): Promise<void> {
    this.get(id);
    for (const buffer of this.buffers.all()) await buffer.discard(id);
    await this.store.delete(id);
    this.repo.delete(id);
    this.known.delete(id);
  }

  /**
   * Accepts points into the write-behind buffer. The whole batch is refused (nothing stored) if
   * any point is bad (UserError 400) or the buffer is at its cap (BufferFullError, 503); NaN is a
   * missing value and is accepted.
   */
  async post(id: number, points: readonly { tsS: number; value: number }[], join = false): Promise<number> {
    this.get(id);
    const latestS = this.clock.nowMs() / 1000 + this.settings.maxFutureS;
    const checked: BufferedPoint[] = [];
    for (const [i, p] of points.entries()) {
      const problem = pointProblem(p, latestS);
      if (problem) {
        this.counters.refused += points.length;
        throw new UserError(`point ${i}: ${problem}; nothing was stored`, 400, 'invalid_point');
      }
      checked.push({ tsS: Math.floor(p.tsS), value: p.value, join });
    }
    try {
      this.admit(checked.length);
    } catch (err) {
      this.counters.refused += checked.length;
      throw err;
    }
    // Reserved before the await, so concurrent posts cannot pass the cap together.
    this.backlog.added(checked.length);
    const buffer = this.buffers.current();
    try {
      try {
        await buffer.append(id, checked);
      } catch (err) {
        // Redis went away before its client noticed: hold the points in memory rather than
        // refuse, if they fit there without dropping any.
        if (buffer === this.buffers.fallback) throw err;
        admitBounded(checked.length, this.buffers.fallback);
        await this.buffers.fallback.append(id, checked);
      }
    } catch (err) {
      this.backlog.added(-checked.length);
      this.counters.refused += checked.length;
      throw err;
    }
    this.counters.accepted += checked.length;
    return checked.length;
  }

  /**
   * Throws BufferFullError if `count` more points would pass the buffers' cap or, while the
   * in-process buffer takes new points, would not fit in it (it must not drop acknowledged ones).
   */
  admit(count: number): void {
    const current = this.buffers.current();
    this.backlog.admit(count, current === this.buffers.fallback ? this.buffers.fallback : undefined);
  }

  async read(id: number, query: Omit<ReadQuery, 'timeZone'> & { timeZone?: string }): Promise<Sample[]> {
    this.get(id);
    try {
      return await this.store.query(id, await this.buffered(id), {
        timeZone: this.settings.timeZone,
        ...query,
      });
    } catch (err) {
      if (err instanceof ReadError) throw new UserError(err.message, 400, 'bad_read');
      throw err;
    }
  }

  /** The last slot with data (grid time) and its value, buffered points included. */
  async lastValue(id: number): Promise<{ tsS: number; value: number | null } | null> {
    this.get(id);
    return this.store.lastValue(id, await this.buffered(id));
  }

  /** The value of the slot nearest `tsS` (emoncms rounds here, where reads floor). */
  async valueAt(id: number, tsS: number): Promise<number | null> {
    this.get(id);
    return this.store.valueAt(id, await this.buffered(id), tsS);
  }

  /** Drops full-resolution data before `startTimeS`; rollups keep the period for averaged reads. */
  async trim(id: number, startTimeS: number): Promise<void> {
    this.get(id);
    if (!Number.isFinite(startTimeS) || startTimeS < 0)
      throw new UserError('trim time must be unix seconds', 400, 'invalid_time');
    await this.store.trim(id, startTimeS);
  }

  async rebuildRollups(id: number): Promise<void> {
    this.get(id);
    await this.store.rebuildRollups(id);
  }

  async exportBytes(id: number, fromByte: number): Promise<Uint8Array> {
    this.get(id);
    return this.store.exportBytes(id, fromByte);
  }

  private async buffered(id: number): Promise<BufferedPoint[]> {
    const lists = await Promise.all(this.buffers.all().map((b) => b.peek(id).catch(() => [])));
    return lists.flat();
  }
}
