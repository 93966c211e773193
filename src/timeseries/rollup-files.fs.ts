import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { writeAll, type FileWriter } from './feed-io.fs.js';
import {
  decodeRollupHeader,
  encodeRecords,
  encodeRollupHeader,
  rollupLevelsFor,
  ROLLUP_HEADER_BYTES,
  ROLLUP_RECORD_BYTES,
  sumValues,
  type RollupHeader,
  type SumCount,
} from './rollup-format.js';

/** Completed finest-level buckets kept only in memory before rollup files are written. */
const ROLLUP_PERSIST_BACKLOG_BUCKETS = 144;

const FILE_MODE = 0o600;

/** A feed as the rollups see it, and a way to read its raw values (file slots [from, to)). */
export interface RollupSource {
  intervalS: number;
  startTimeS: number;
  npoints: number;
  values(from: number, to: number): Float32Array;
}

/**
 * The rollup files beside a feed's PHPFina files (`<id>.r<levelS>`, ADR 003): records of
 * completed buckets, written in batches, and rewritten where the raw data under them changed.
 */
export class RollupFiles {
  constructor(
    private readonly dir: string,
    private readonly io: FileWriter,
  ) {}

  path(id: number, levelS: number): string {
    return join(this.dir, `${id}.r${levelS}`);
  }

  /** The rollup files a feed has. */
  files(id: number): string[] {
    return [600, 3600, 86400].map((levelS) => this.path(id, levelS)).filter((f) => existsSync(f));
  }

  headerOf(id: number, levelS: number): RollupHeader | undefined {
    const path = this.path(id, levelS);
    if (!existsSync(path)) return undefined;
    const fd = openSync(path, 'r');
    try {
      const bytes = new Uint8Array(ROLLUP_HEADER_BYTES);
      readSync(fd, bytes, 0, ROLLUP_HEADER_BYTES, 0);
      return decodeRollupHeader(bytes);
    } finally {
      closeSync(fd);
    }
  }

  /** Writes the records of every completed bucket not yet on disk (unless few and not forced). */
  persist(id: number, feed: RollupSource, force: boolean): void {
    if (feed.npoints === 0) return;
    const firstSlot = feed.startTimeS / feed.intervalS;
    const endSlot = firstSlot + feed.npoints;
    const levels = rollupLevelsFor(feed.intervalS);
    const finest = levels[0];
    if (finest === undefined) return;
    const headers = levels.map((levelS) => this.header(id, levelS, firstSlot, feed.intervalS));
    const k0 = finest / feed.intervalS;
    const backlog = Math.floor(endSlot / k0) - Math.floor((headers[0]?.validEndSlot ?? 0) / k0);
    if (!force && backlog < ROLLUP_PERSIST_BACKLOG_BUCKETS) return;
    levels.forEach((levelS, i) => {
      const header = headers[i]!;
      const k = levelS / feed.intervalS;
      const completeEnd = Math.floor(endSlot / k) * k;
      const from = Math.max(header.validEndSlot, header.firstBucket * k);
      if (completeEnd <= from) return;
      const raw = feed.values(from - firstSlot, completeEnd - firstSlot);
      const records: SumCount[] = [];
      for (let s = from; s < completeEnd; s += k) records.push(sumValues(raw, s - from, s - from + k));
      const fd = openSync(this.path(id, levelS), 'r+');
      try {
        const recordAt = ROLLUP_HEADER_BYTES + (from / k - header.firstBucket) * ROLLUP_RECORD_BYTES;
        writeAll(fd, encodeRecords(records), recordAt, this.io);
        writeAll(fd, encodeRollupHeader({ ...header, validEndSlot: completeEnd }), 0, this.io);
        this.io.datasync(fd);
      } finally {
        closeSync(fd);
      }
    });
  }

  /** Recomputes persisted buckets that contain rewritten (absolute) slots. */
  refresh(id: number, feed: RollupSource, slots: readonly number[]): void {
    if (slots.length === 0) return;
    const firstSlot = feed.startTimeS / feed.intervalS;
    for (const levelS of rollupLevelsFor(feed.intervalS)) {
      const header = this.headerOf(id, levelS);
      if (!header) continue;
      const k = levelS / feed.intervalS;
      const buckets = new Set(slots.filter((s) => s < header.validEndSlot).map((s) => Math.floor(s / k)));
      if (buckets.size === 0) continue;
      const fd = openSync(this.path(id, levelS), 'r+');
      try {
        for (const bucket of buckets) {
          const from = Math.max(bucket * k, firstSlot);
          const raw = feed.values(from - firstSlot, (bucket + 1) * k - firstSlot);
          const at = ROLLUP_HEADER_BYTES + (bucket - header.firstBucket) * ROLLUP_RECORD_BYTES;
          writeAll(fd, encodeRecords([sumValues(raw)]), at, this.io);
        }
        this.io.datasync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  private header(id: number, levelS: number, firstSlot: number, intervalS: number): RollupHeader {
    const existing = this.headerOf(id, levelS);
    if (existing) return existing;
    const header = { levelS, firstBucket: Math.floor((firstSlot * intervalS) / levelS), validEndSlot: 0 };
    const fd = openSync(this.path(id, levelS), 'w', FILE_MODE);
    try {
      writeAll(fd, encodeRollupHeader(header), 0, this.io);
    } finally {
      closeSync(fd);
    }
    return header;
  }
}
