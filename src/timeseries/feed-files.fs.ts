import {
  accessSync,
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  constants as fsConstants,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  decodeMeta,
  encodeMeta,
  encodeValues,
  META_BYTES,
  VALUE_BYTES,
  type FeedMeta,
} from './phpfina-format.js';
import type { RollupHeader } from './rollup-format.js';
import { RollupFiles, type RollupSource } from './rollup-files.fs.js';
import {
  fstatSize,
  nodeFileWriter,
  readValues,
  syncDir,
  writeAll,
  writeFileSynced,
  type FileWriter,
} from './feed-io.fs.js';
import { FeedReader, type StoredFeed } from './feed-reader.fs.js';
import { ReadCache } from './read-cache.js';
import { planWrite, type Point, type WritePlan } from './write-plan.js';

export type { StoredFeed } from './feed-reader.fs.js';

export interface RepairReport {
  id: number;
  /** Bytes cut from a .dat whose size was not a whole number of values. */
  truncatedBytes: number;
}

/** Feed data is private to the hub's user, whatever the umask (the `hub` CLI sets none). */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * The feed files under <dataDir>/feeds: PHPFina .meta/.dat plus the hub's rollup files.
 * Writes go through plans (write-plan.ts); meta files are replaced atomically; data is
 * fdatasync'ed once per write batch, never per reading.
 */
export class FeedFiles {
  /** Only for the files' one owner (the worker): another FeedFiles writing them would not tell it. */
  readonly readCache: ReadCache | undefined;

  constructor(
    readonly dir: string,
    private readonly io: FileWriter = nodeFileWriter,
    options: { readCacheBytes?: number } = {},
  ) {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    this.rollups = new RollupFiles(dir, io);
    this.readCache = options.readCacheBytes ? new ReadCache(options.readCacheBytes) : undefined;
  }

  private readonly rollups: RollupFiles;

  paths(id: number) {
    return { meta: join(this.dir, `${id}.meta`), dat: join(this.dir, `${id}.dat`) };
  }

  rollupPath(id: number, levelS: number): string {
    return this.rollups.path(id, levelS);
  }

  /**
   * Whether the feed has files. Only ENOENT means no: any other error (EIO, EACCES) throws, so
   * a failing disk is never taken for a deleted feed (whose buffered points would be dropped).
   */
  exists(id: number): boolean {
    return statSync(this.paths(id).meta, { throwIfNoEntry: false }) !== undefined;
  }

  /**
   * Why the feeds directory cannot be trusted to say a feed's files are gone, or undefined: it
   * is missing, not a directory, not accessible, or holds no feed at all (an unmounted data
   * partition under a freshly made directory looks like that).
   */
  directoryProblem(): string | undefined {
    try {
      if (!statSync(this.dir).isDirectory()) return 'is not a directory';
      accessSync(this.dir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
      if (!readdirSync(this.dir).some((name) => name.endsWith('.meta'))) return 'holds no feed files';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? String(err);
    }
    return undefined;
  }

  create(id: number, intervalS: number): void {
    const { dat } = this.paths(id);
    if (this.exists(id)) throw new Error(`feed ${id} already has files`);
    closeSync(openSync(dat, 'w', FILE_MODE));
    this.writeMeta(id, { intervalS, startTimeS: 0 });
  }

  delete(id: number): void {
    const { meta, dat } = this.paths(id);
    this.readCache?.forget(id);
    for (const file of [meta, dat, ...this.rollups.files(id)]) rmSync(file, { force: true });
  }

  /** Empties the feed (PHPFina clear): no data, start_time 0, rollups gone. */
  clear(id: number): void {
    const { intervalS } = this.read(id);
    this.readCache?.forget(id);
    const fd = openSync(this.paths(id).dat, 'r+');
    try {
      ftruncateSync(fd, 0);
      this.io.fsync(fd);
    } finally {
      closeSync(fd);
    }
    for (const file of this.rollups.files(id)) rmSync(file, { force: true });
    this.writeMeta(id, { intervalS, startTimeS: 0 });
  }

  read(id: number): StoredFeed {
    const fd = openSync(this.paths(id).meta, 'r');
    const bytes = new Uint8Array(META_BYTES);
    try {
      readSync(fd, bytes, 0, META_BYTES, 0);
    } finally {
      closeSync(fd);
    }
    const meta = decodeMeta(bytes);
    const size = fstatSize(this.paths(id).dat);
    return { ...meta, npoints: Math.floor(size / VALUE_BYTES) };
  }

  partialBytes(id: number): number {
    return fstatSize(this.paths(id).dat) % VALUE_BYTES;
  }

  /**
   * Makes a feed whole after a power cut: finishes or undoes an interrupted trim, and cuts a .dat
   * back to whole values (a write cut short).
   */
  repair(id: number): RepairReport {
    const { dat, meta } = this.paths(id);
    this.readCache?.forget(id);
    if (existsSync(`${dat}.trim`)) {
      rmSync(`${dat}.trim`, { force: true }); // the trim had not replaced anything yet
      rmSync(`${meta}.tmp`, { force: true });
    } else if (existsSync(`${meta}.tmp`)) {
      renameSync(`${meta}.tmp`, meta); // the trimmed .dat is in place; its meta must follow
    }
    const size = fstatSize(dat);
    const extra = size % VALUE_BYTES;
    if (extra) {
      const fd = openSync(dat, 'r+');
      try {
        ftruncateSync(fd, size - extra);
        this.io.fsync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return { id, truncatedBytes: extra };
  }

  /** Applies a batch of points as PHPFina would; returns the plan that was carried out. */
  write(id: number, points: readonly Point[], join: boolean): WritePlan {
    const feed = this.read(id);
    const lastValue = feed.npoints > 0 ? this.values(id, feed.npoints - 1, feed.npoints)[0]! : NaN;
    const plan = planWrite({ ...feed, lastValue }, points, join);
    // Forgotten before writing, so a write that fails half-way leaves nothing stale cached.
    if (plan.startTimeS !== feed.startTimeS) this.readCache?.forget(id);
    const rewritten = plan.overwrites.map((o) => plan.startTimeS / feed.intervalS + o.slot);
    this.readCache?.forgetSlots(id, rewritten);
    if (plan.startTimeS !== feed.startTimeS)
      this.writeMeta(id, { intervalS: feed.intervalS, startTimeS: plan.startTimeS });
    if (plan.overwrites.length === 0 && plan.append.length === 0) return plan;
    const fd = openSync(this.paths(id).dat, 'r+');
    try {
      for (const o of plan.overwrites) writeAll(fd, encodeValues([o.value]), o.slot * VALUE_BYTES, this.io);
      if (plan.append.length) writeAll(fd, encodeValues(plan.append), feed.npoints * VALUE_BYTES, this.io);
      this.io.datasync(fd);
    } finally {
      closeSync(fd);
    }
    this.rollups.refresh(id, this.rollupSource(id), rewritten);
    return plan;
  }

  /** Raw values of feed slots [from, to) (relative to start_time), NaN past the end. */
  values(id: number, from: number, to: number): Float32Array {
    const fd = openSync(this.paths(id).dat, 'r');
    try {
      return readValues(fd, from, to);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Drops full-resolution data before `startTimeS` (moved up to the grid), keeping rollups, so
   * reads of that period still average from them. Crash-safe through repair().
   */
  trim(id: number, startTimeS: number): void {
    const feed = this.read(id);
    const newStartS = Math.ceil(startTimeS / feed.intervalS) * feed.intervalS;
    const drop = (newStartS - feed.startTimeS) / feed.intervalS;
    if (feed.npoints === 0 || drop <= 0) return;
    this.readCache?.forget(id);
    this.persistRollups(id, true);
    const { dat, meta } = this.paths(id);
    const kept = this.values(id, drop, feed.npoints);
    writeFileSynced(`${dat}.trim`, encodeValues(kept), FILE_MODE, this.io);
    const newMeta = { intervalS: feed.intervalS, startTimeS: kept.length ? newStartS : 0 };
    writeFileSynced(`${meta}.tmp`, encodeMeta(newMeta), FILE_MODE, this.io);
    renameSync(`${dat}.trim`, dat);
    renameSync(`${meta}.tmp`, meta);
    syncDir(this.dir, this.io);
  }

  /** emoncms feed/export: raw bytes from a byte offset, re-sending the last whole value before it. */
  exportBytes(id: number, fromByte: number): Uint8Array {
    const { npoints } = this.read(id);
    const from = Math.max(0, Math.floor(fromByte / VALUE_BYTES) - 1);
    if (from >= npoints) return new Uint8Array(0);
    return encodeValues(this.values(id, from, npoints));
  }

  importData(id: number, meta: FeedMeta, sourceDat: string, npoints: number): void {
    const { dat } = this.paths(id);
    this.readCache?.forget(id);
    copyFileSync(sourceDat, dat);
    chmodSync(dat, FILE_MODE); // copyFileSync gives the copy the source's mode
    const fd = openSync(dat, 'r+');
    try {
      ftruncateSync(fd, npoints * VALUE_BYTES); // whole values only
      this.io.fsync(fd);
    } finally {
      closeSync(fd);
    }
    this.writeMeta(id, npoints ? meta : { intervalS: meta.intervalS, startTimeS: 0 });
    this.rebuildRollups(id);
  }

  /** Opens a read session: one file handle per file for the duration of a query. */
  openReader(id: number): FeedReader {
    return new FeedReader(this, id);
  }

  /** Writes the rollup records of every completed bucket not yet on disk (e.g. at shutdown). */
  persistRollups(id: number, force = true): void {
    this.rollups.persist(id, this.rollupSource(id), force);
  }

  /** Rebuilds every rollup from the raw data. */
  rebuildRollups(id: number): void {
    this.readCache?.forget(id);
    for (const file of this.rollups.files(id)) rmSync(file, { force: true });
    this.persistRollups(id, true);
  }

  /** Drops every block and page kept across queries (bench:timeseries measures cold reads). */
  dropReadCache(): void {
    this.readCache?.clear();
  }

  rollupHeaderOf(id: number, levelS: number): RollupHeader | undefined {
    return this.rollups.headerOf(id, levelS);
  }

  private rollupSource(id: number): RollupSource {
    return { ...this.read(id), values: (from, to) => this.values(id, from, to) };
  }

  /** write, fsync, rename, fsync dir: a power cut leaves the old or the new meta, never half. */
  private writeMeta(id: number, meta: FeedMeta): void {
    const path = this.paths(id).meta;
    writeFileSynced(`${path}.tmp`, encodeMeta(meta), FILE_MODE, this.io);
    renameSync(`${path}.tmp`, path);
    syncDir(this.dir, this.io);
  }
}
