import { closeSync, openSync, readSync } from 'node:fs';
import { readValues } from './feed-io.fs.js';
import type { FeedReaderPort } from './ports.js';
import { sumRange } from './range-sum.js';
import {
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
}

export interface StoredFeed {
  intervalS: number;
  startTimeS: number;
  npoints: number;
}

const PAGE_RECORDS = 256; // 5 KiB of rollup records
const MAX_READAHEAD_PAGES = 16;

/** A read session over one feed: cached pages of .dat and rollup files, closed after the query. */
export class FeedReader implements FeedReaderPort {
  readonly feed: StoredFeed;
  readonly firstSlot: number;
  readonly historyStartSlot: number;
  private readonly datFd: number;
  private readonly rollupFds = new Map<number, { fd: number; header: RollupHeader }>();
  private readonly blocks = new Map<number, Float32Array>();
  /** Slots per cached .dat block: the finest rollup bucket, or 1024 (4 KiB) without rollups. */
  private readonly blockSlots: number;
  private readonly recordPages = new Map<string, Uint8Array>();
  private recordMisses = 0;

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
    this.blockSlots = finest ? finest / this.feed.intervalS : 1024;
    this.historyStartSlot = Math.min(this.firstSlot, ...rollupStarts.filter((s) => s < this.firstSlot));
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
    if (b - a > block) return readValues(this.datFd, a, b);
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
    let values = this.blocks.get(n);
    if (!values) {
      const from = n * this.blockSlots - offset;
      values = readValues(this.datFd, from, from + this.blockSlots);
      this.blocks.set(n, values);
    }
    return values;
  }

  /** Records of a level over absolute buckets [from, to), through a page cache. */
  private records(levelS: number, from: number, to: number): Uint8Array {
    const { fd, header } = this.rollupFds.get(levelS)!;
    const a = from - header.firstBucket;
    const b = to - header.firstBucket;
    const out = new Uint8Array((b - a) * ROLLUP_RECORD_BYTES);
    for (let page = Math.floor(a / PAGE_RECORDS); page * PAGE_RECORDS < b; page++) {
      const key = `${levelS}:${page}`;
      let bytes = this.recordPages.get(key);
      if (!bytes) {
        const ahead = Math.min(MAX_READAHEAD_PAGES, 2 ** this.recordMisses++);
        const pageBytes = PAGE_RECORDS * ROLLUP_RECORD_BYTES;
        const chunk = new Uint8Array(ahead * pageBytes);
        readSync(fd, chunk, 0, chunk.length, ROLLUP_HEADER_BYTES + page * pageBytes);
        for (let i = 0; i < ahead; i++) {
          const k = `${levelS}:${page + i}`;
          if (!this.recordPages.has(k))
            this.recordPages.set(k, chunk.subarray(i * pageBytes, (i + 1) * pageBytes));
        }
        bytes = this.recordPages.get(key)!;
      }
      const lo = Math.max(a, page * PAGE_RECORDS);
      const hi = Math.min(b, (page + 1) * PAGE_RECORDS);
      const base = page * PAGE_RECORDS;
      out.set(
        bytes.subarray((lo - base) * ROLLUP_RECORD_BYTES, (hi - base) * ROLLUP_RECORD_BYTES),
        (lo - a) * ROLLUP_RECORD_BYTES,
      );
    }
    return out;
  }

  /** Sum over absolute slots [from, to) from rollups where they cover, raw data elsewhere. */
  sum(from: number, to: number): SumCount {
    const iv = this.feed.intervalS;
    const levels = [...this.rollupFds.entries()]
      .sort(([a], [b]) => b - a)
      .map(([levelS, { header }]) => {
        const k = levelS / iv;
        return {
          slotsPerBucket: k,
          levelIndex: levelS,
          fromSlot: header.firstBucket * k,
          toSlot: header.validEndSlot,
        };
      });
    return sumRange(
      {
        raw: (a, b) => sumValues(this.raw(a, b)),
        levels,
        records: (levelS, a, b) => sumRecords(this.records(levelS, a, b)),
      },
      from,
      to,
    );
  }
}
