import type { SumCount } from './rollup-format.js';
import type { ReadQuery, Sample } from './read-query.js';
import type { Point } from './write-plan.js';

/** A point waiting in the write-behind buffer; `join` asks for interpolated padding. */
export interface BufferedPoint extends Point {
  join: boolean;
}

/** The write-behind buffer: accepted points wait here until the flusher writes them to files. */
export interface WriteBuffer {
  /** Adds points; resolves once they are held (survives a crash of hubd when Redis holds them). */
  append(feedId: number, points: readonly BufferedPoint[]): Promise<void>;
  /** Buffered points of one feed, oldest first. */
  peek(feedId: number): Promise<BufferedPoint[]>;
  /** Feeds with buffered points. */
  feedsWithPoints(): Promise<number[]>;
  /** How many points of a feed are buffered. */
  length(feedId: number): Promise<number>;
  /** Removes the first `count` points of a feed (after they were written). */
  remove(feedId: number, count: number): Promise<void>;
  /** Drops a feed's buffered points (feed cleared or deleted). */
  discard(feedId: number): Promise<void>;
}

export interface FeedRecord {
  id: number;
  ownerId: number;
  name: string;
  tag: string;
  unit: string;
  intervalS: number;
  public: boolean;
  /** Full-resolution data older than this many days is trimmed; rollups keep the history. */
  retentionDays: number | null;
  createdAtMs: number;
}

export type NewFeed = Omit<FeedRecord, 'id'>;
export type FeedChanges = Partial<Pick<FeedRecord, 'name' | 'tag' | 'unit' | 'public' | 'retentionDays'>>;

export interface FeedRepo {
  insert(feed: NewFeed, id?: number): FeedRecord;
  get(id: number): FeedRecord | undefined;
  list(): FeedRecord[];
  update(id: number, changes: FeedChanges): void;
  delete(id: number): void;
}

/** What one feed's write did with its buffered points. */
export interface WriteOutcome {
  written: number;
  /** Older than the feed's start, or behind a later one of the same batch (PHPFina rules). */
  old: number;
  /** A gap beyond the padding cap: never writable. */
  refused: number;
  /** Why each refused run was refused, for the log. */
  refusals: { points: number; reason: string }[];
}

/**
 * The feed files (PHPFina plus rollups), as the service and the flusher use them. The
 * synchronous part reads or makes metadata only (a stat, a 16-byte .meta, a new empty feed).
 * Everything that writes data or reads it in bulk is asynchronous: in hubd it runs, one
 * operation at a time, on a worker thread that owns the files (ADR 007), so an fdatasync never
 * waits on the event loop and a read never sees half a write.
 */
export interface FeedStore {
  exists(id: number): boolean;
  /** Why the feeds directory itself is unusable (so a missing file proves nothing), or undefined. */
  directoryProblem(): string | undefined;
  /** New empty files: nothing writes a feed before it exists, so this cannot race the writer. */
  create(id: number, intervalS: number): void;
  read(id: number): { intervalS: number; startTimeS: number; npoints: number };
  /** Bytes past the last whole value of the .dat (0 when sound). */
  partialBytes(id: number): number;

  /** Writes a feed's buffered points (latest per slot wins), fdatasync'ed before it resolves. */
  writePoints(id: number, points: readonly BufferedPoint[]): Promise<WriteOutcome>;
  delete(id: number): Promise<void>;
  clear(id: number): Promise<void>;
  trim(id: number, startTimeS: number): Promise<void>;
  persistRollups(id: number, force?: boolean): Promise<void>;
  rebuildRollups(id: number): Promise<void>;
  /** Finishes or undoes an interrupted trim and cuts a partial value off the .dat. */
  repair(id: number): Promise<{ truncatedBytes: number }>;
  /** Takes a PHPFina feed from elsewhere: copies its whole values and builds rollups. */
  importData(
    id: number,
    meta: { intervalS: number; startTimeS: number },
    sourceDat: string,
    npoints: number,
  ): Promise<void>;
  /** Raw .dat bytes from a byte offset. */
  exportBytes(id: number, fromByte: number): Promise<Uint8Array>;
  /** A read (emoncms get_data rules) over the files with `buffered` laid over them. */
  query(id: number, buffered: readonly BufferedPoint[], query: ReadQuery): Promise<Sample[]>;
  /** The last slot with data (grid time) and its value, buffered points included. */
  lastValue(id: number, buffered: readonly BufferedPoint[]): Promise<LastValue | null>;
  /** The value of the slot nearest `tsS` (emoncms rounds here, where reads floor). */
  valueAt(id: number, buffered: readonly BufferedPoint[], tsS: number): Promise<number | null>;
}

export interface LastValue {
  tsS: number;
  value: number | null;
}

export interface FeedReaderPort {
  readonly feed: { intervalS: number; startTimeS: number; npoints: number };
  /** First absolute slot any stored data (raw or rollups) covers. */
  readonly historyStartSlot: number;
  raw(from: number, to: number): Float32Array;
  sum(from: number, to: number): SumCount;
  close(): void;
}
