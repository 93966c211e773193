import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readValues } from './feed-io.fs.js';
import { VALUE_BYTES } from './phpfina-format.js';
import type { FeedReaderPort } from './ports.js';
import { sumRange, type SumSource } from './range-sum.js';
import type { FeedCacheEntry, ReadCache } from './read-cache.js';
import {
  addSums,
  EMPTY_SUM,
  rollupLevelsFor,
  ROLLUP_HEADER_BYTES,
  ROLLUP_RECORD_BYTES,
  sumRecords,
  sumValues,
  type RollupHeader,
  type SumCount,
} from './rollup-format.js';

/** What a reader needs to find a feed's files. */
export interface FeedLocator {
  read(id: number): StoredFeed;
  paths(id: number): { dat: string };
  rollupPath(id: number, levelS: number): string;
  rollupHeaderOf(id: number, levelS: number): RollupHeader | undefined;
  /** Blocks and record pages kept across queries, where one owner does every write (ADR 007). */
  readonly readCache?: ReadCache | undefined;
}

export interface StoredFeed {
  intervalS: number;
  startTimeS: number;
  npoints: number;
}

const PAGE_RECORDS = 256; // 5 KiB of rollup records
const MAX_READAHEAD_PAGES = 16;
const BLOCK_SLOTS_WITHOUT_ROLLUPS = 1024; // 4 KiB of values
const MAX_READAHEAD_BYTES = 64 * 1024;
/**
 * Edge blocks are read into shared slabs (one ArrayBuffer per many blocks, not one each), growing
 * from 4 KiB to 64 KiB within a session, so a warm read's few new blocks pin little memory.
 */
const FIRST_SLAB_BYTES = 4 * 1024;
const MAX_SLAB_BYTES = 64 * 1024;
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** A read session over one feed: cached pages of .dat and rollup files, closed after the query. */
export class FeedReader implements FeedReaderPort {
  readonly feed: StoredFeed;
  readonly firstSlot: number;
  readonly historyStartSlot: number;
  /** Reads of the files made by this session, for tests and bench:timeseries. */
  reads = 0;
  private readonly datFd: number;
  private readonly rollupFds = new Map<number, { fd: number; header: RollupHeader }>();
  private readonly blocks = new Map<number, Float32Array>();
  /** Slots per cached .dat block: the finest rollup bucket, or 1024 (4 KiB) without rollups. */
  private readonly blockSlots: number;
  /** Sequential block misses (a full-resolution read) read ahead, twice as far each time. */
  private nextSequentialBlock = NaN;
  private readaheadBlocks = 1;
  /** Pages of rollup records by level, then page number. */
  private readonly recordPages = new Map<number, Map<number, Uint8Array>>();
  private recordMisses = 0;
  /** This feed's entry in the cross-query cache, if there is one. */
  private readonly shared: FeedCacheEntry | undefined;
  /** Absolute block number of block 0. */
  private readonly blockBase: number;
  private slab = new Uint8Array(0);
  private slabUsed = 0;
  /** Raw blocks and rollup levels (coarsest first, fixed for the session) as sumRange wants them. */
  private readonly source: SumSource;

  constructor(files: FeedLocator, id: number) {
    this.feed = files.read(id);
    this.firstSlot = this.feed.intervalS ? this.feed.startTimeS / this.feed.intervalS : 0;
    this.datFd = openSync(files.paths(id).dat, 'r');
    for (const levelS of rollupLevelsFor(this.feed.intervalS)) {
      const header = files.rollupHeaderOf(id, levelS);
      if (header) this.rollupFds.set(levelS, { fd: openSync(files.rollupPath(id, levelS), 'r'), header });
    }
    const rollupStarts = [...this.rollupFds.entries()].map(
      ([levelS, { header }]) => (header.firstBucket * levelS) / this.feed.intervalS,
    );
    const finest = rollupLevelsFor(this.feed.intervalS)[0];
    this.blockSlots = finest ? finest / this.feed.intervalS : BLOCK_SLOTS_WITHOUT_ROLLUPS;
    this.historyStartSlot = Math.min(this.firstSlot, ...rollupStarts.filter((s) => s < this.firstSlot));
    this.blockBase = Math.floor(this.firstSlot / this.blockSlots);
    this.shared = files.readCache?.open(
      id,
      {
        intervalS: this.feed.intervalS,
        startTimeS: this.feed.startTimeS,
        fileId: files.readCache.maxBytes > 0 ? fstatSync(this.datFd).ino : 0,
        blockSlots: this.blockSlots,
        rollups: [...this.rollupFds].map(([levelS, { header }]) => `${levelS}:${header.firstBucket}`).join(),
      },
      this.feed.npoints,
    );
    const iv = this.feed.intervalS;
    const levels = [...this.rollupFds.entries()]
      .sort(([a], [b]) => b - a)
      .map(([levelS, { header }]) => ({
        slotsPerBucket: levelS / iv,
        levelIndex: levelS,
        fromSlot: header.firstBucket * (levelS / iv),
        toSlot: header.validEndSlot,
      }));
    this.source = {
      raw: (a, b) => this.sumRaw(a, b),
      levels,
      records: (levelS, a, b) => this.sumRecordsOf(levelS, a, b),
    };
  }

  close(): void {
    closeSync(this.datFd);
    for (const { fd } of this.rollupFds.values()) closeSync(fd);
  }

  /** Raw values over absolute slots [from, to); NaN outside the file. */
  raw(from: number, to: number): Float32Array {
    const a = from - this.firstSlot;
    const b = to - this.firstSlot;
    const block = this.blockSlots;
    if (b - a > block) return (this.reads++, readValues(this.datFd, a, b));
    // Blocks are aligned to absolute slots, like the finest rollup level's buckets, so both edges
    // of a bucket boundary fall in one block: one small read per boundary.
    const offset = this.firstSlot % block;
    const out = new Float32Array(Math.max(0, b - a));
    for (let n = Math.floor((a + offset) / block); n * block - offset < b; n++) {
      const values = this.block(n, offset);
      const lo = Math.max(a, n * block - offset);
      const hi = Math.min(b, (n + 1) * block - offset);
      out.set(values.subarray(lo - (n * block - offset), hi - (n * block - offset)), lo - a);
    }
    return out;
  }

  /** One cached block of the .dat (block n starts at file slot n * blockSlots - offset). */
  private block(n: number, offset: number): Float32Array {
    const cached = this.blocks.get(n) ?? this.shared?.block(this.blockBase + n);
    if (cached) return cached;
    const size = this.blockSlots;
    const maxAhead = Math.max(1, Math.floor(MAX_READAHEAD_BYTES / (size * VALUE_BYTES)));
    const ahead = n === this.nextSequentialBlock ? Math.min(maxAhead, this.readaheadBlocks * 2) : 1;
    this.readaheadBlocks = ahead;
    this.nextSequentialBlock = n + ahead;
    const from = n * size - offset;
    // A single block wholly inside the file (a bucket edge) never changes by appending: kept.
    if (ahead === 1 && from >= 0 && from + size <= this.feed.npoints && LITTLE_ENDIAN) {
      const values = this.readWhole(from, size);
      if (this.shared) this.shared.keepBlock(this.blockBase + n, values);
      else this.blocks.set(n, values);
      return values;
    }
    const chunk = readValues(this.datFd, from, from + ahead * size);
    this.reads++;
    for (let i = ahead - 1; i >= 0; i--)
      if (!this.blocks.has(n + i)) this.blocks.set(n + i, chunk.subarray(i * size, (i + 1) * size));
    return this.blocks.get(n)!;
  }

  /** File slots [from, from + size), all inside the file, read into the current slab. */
  private readWhole(from: number, size: number): Float32Array {
    const bytes = size * VALUE_BYTES;
    if (this.slabUsed + bytes > this.slab.byteLength) {
      const grown = Math.min(MAX_SLAB_BYTES, Math.max(FIRST_SLAB_BYTES, this.slab.byteLength * 2));
      this.slab = new Uint8Array(Math.max(grown, bytes));
      this.slabUsed = 0;
    }
    const at = this.slabUsed;
    const got = readSync(this.datFd, this.slab, at, bytes, from * VALUE_BYTES);
    this.reads++;
    this.slabUsed += bytes;
    const values = new Float32Array(this.slab.buffer, at, size);
    if (got < bytes) values.fill(NaN, Math.floor(got / VALUE_BYTES)); // the file was cut under us
    return values;
  }

  /** Sum of raw values over absolute slots [from, to), straight from the cached blocks. */
  private sumRaw(from: number, to: number): SumCount {
    const a = from - this.firstSlot;
    const b = to - this.firstSlot;
    const block = this.blockSlots;
    if (b - a > block) return (this.reads++, sumValues(readValues(this.datFd, a, b)));
    const offset = this.firstSlot % block;
    let total: SumCount = EMPTY_SUM;
    for (let n = Math.floor((a + offset) / block); n * block - offset < b; n++) {
      const base = n * block - offset;
      const part = sumValues(
        this.block(n, offset),
        Math.max(a, base) - base,
        Math.min(b, base + block) - base,
      );
      total = total === EMPTY_SUM ? part : addSums(total, part);
    }
    return total;
  }

  /** Sum of a level's records over absolute buckets [from, to), through a page cache. */
  private sumRecordsOf(levelS: number, from: number, to: number): SumCount {
    const { header } = this.rollupFds.get(levelS)!;
    const a = from - header.firstBucket;
    const b = to - header.firstBucket;
    let total: SumCount = EMPTY_SUM;
    for (let page = Math.floor(a / PAGE_RECORDS); page * PAGE_RECORDS < b; page++) {
      const bytes = this.recordPage(levelS, page);
      const base = page * PAGE_RECORDS;
      const lo = Math.max(a, base) - base;
      const hi = Math.min(b, base + PAGE_RECORDS) - base;
      const part = sumRecords(bytes.subarray(lo * ROLLUP_RECORD_BYTES, hi * ROLLUP_RECORD_BYTES));
      total = total === EMPTY_SUM ? part : addSums(total, part);
    }
    return total;
  }

  /** One page of a level's records; a miss reads ahead, twice as far at each miss (up to 16 pages). */
  private recordPage(levelS: number, page: number): Uint8Array {
    let pages = this.recordPages.get(levelS);
    if (!pages) this.recordPages.set(levelS, (pages = new Map()));
    const cached = pages.get(page) ?? this.shared?.page(levelS, page);
    if (cached) return cached;
    const { fd, header } = this.rollupFds.get(levelS)!;
    const ahead = Math.min(MAX_READAHEAD_PAGES, 2 ** this.recordMisses++);
    const pageBytes = PAGE_RECORDS * ROLLUP_RECORD_BYTES;
    // Not zeroed first (a year reads ~1 MB of records); only what the file lacks is zeroed.
    const chunk = Buffer.allocUnsafe(ahead * pageBytes);
    chunk.fill(0, readSync(fd, chunk, 0, chunk.length, ROLLUP_HEADER_BYTES + page * pageBytes));
    this.reads++;
    // Pages wholly below the valid end are kept: persisting only appends records and moves that end.
    const iv = this.feed.intervalS;
    const validPages = Math.floor(((header.validEndSlot * iv) / levelS - header.firstBucket) / PAGE_RECORDS);
    for (let i = 0; i < ahead; i++) {
      const bytes = chunk.subarray(i * pageBytes, (i + 1) * pageBytes);
      if (!pages.has(page + i)) pages.set(page + i, bytes);
      if (page + i < validPages) this.shared?.keepPage(levelS, page + i, bytes);
    }
    return pages.get(page)!;
  }

  /** Sum over absolute slots [from, to) from rollups where they cover, raw data elsewhere. */
  sum(from: number, to: number): SumCount {
    return sumRange(this.source, from, to);
  }
}
