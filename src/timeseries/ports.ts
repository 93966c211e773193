import type { SumCount } from './rollup-format.js';
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

/** The feed files (PHPFina plus rollups), as the service uses them. */
export interface FeedStore {
  exists(id: number): boolean;
  /** Why the feeds directory itself is unusable (so a missing file proves nothing), or undefined. */
  directoryProblem(): string | undefined;
  create(id: number, intervalS: number): void;
  delete(id: number): void;
  clear(id: number): void;
  trim(id: number, startTimeS: number): void;
  read(id: number): { intervalS: number; startTimeS: number; npoints: number };
  write(
    id: number,
    points: readonly Point[],
    join: boolean,
  ): { droppedBeforeStart: number; droppedOutOfOrder: number };
  persistRollups(id: number, force?: boolean): void;
  rebuildRollups(id: number): void;
  /** Bytes past the last whole value of the .dat (0 when sound). */
  partialBytes(id: number): number;
  /** Finishes or undoes an interrupted trim and cuts a partial value off the .dat. */
  repair(id: number): { truncatedBytes: number };
  openReader(id: number): FeedReaderPort;
  /** Takes a PHPFina feed from elsewhere: copies its whole values and builds rollups. */
  importData(
    id: number,
    meta: { intervalS: number; startTimeS: number },
    sourceDat: string,
    npoints: number,
  ): void;
  /** Raw .dat bytes from a byte offset. */
  exportBytes(id: number, fromByte: number): Uint8Array;
}

export interface FeedReaderPort {
  readonly feed: { intervalS: number; startTimeS: number; npoints: number };
  /** First absolute slot any stored data (raw or rollups) covers. */
  readonly historyStartSlot: number;
  raw(from: number, to: number): Float32Array;
  sum(from: number, to: number): SumCount;
  close(): void;
}
