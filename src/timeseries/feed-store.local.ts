import type { FeedFiles } from './feed-files.fs.js';
import { lastValueOf, querySeries, readWith, valueNear } from './feed-queries.js';
import { writeBuffered } from './flush-write.js';
import type { BufferedPoint, FeedStore } from './ports.js';
import type { ReadQuery } from './read-query.js';

/** Runs `fn` now and settles with its result: the local store does each operation at the call. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/**
 * The feed files on the calling thread. The `hub` command and tests use it directly; in hubd the
 * worker thread runs one (feed-store-thread.worker.ts), so both adapters do the same thing.
 */
export class LocalFeedStore implements FeedStore {
  constructor(readonly files: FeedFiles) {}

  exists(id: number): boolean {
    return this.files.exists(id);
  }
  directoryProblem(): string | undefined {
    return this.files.directoryProblem();
  }
  create(id: number, intervalS: number): void {
    this.files.create(id, intervalS);
  }
  read(id: number) {
    return this.files.read(id);
  }
  partialBytes(id: number): number {
    return this.files.partialBytes(id);
  }

  writePoints(id: number, points: readonly BufferedPoint[]) {
    return settle(() => writeBuffered(this.files, id, points));
  }
  delete(id: number) {
    return settle(() => this.files.delete(id));
  }
  clear(id: number) {
    return settle(() => this.files.clear(id));
  }
  trim(id: number, startTimeS: number) {
    return settle(() => this.files.trim(id, startTimeS));
  }
  persistRollups(id: number, force = true) {
    return settle(() => this.files.persistRollups(id, force));
  }
  rebuildRollups(id: number) {
    return settle(() => this.files.rebuildRollups(id));
  }
  repair(id: number) {
    return settle(() => this.files.repair(id));
  }
  importData(
    id: number,
    meta: { intervalS: number; startTimeS: number },
    sourceDat: string,
    npoints: number,
  ) {
    return settle(() => this.files.importData(id, meta, sourceDat, npoints));
  }
  exportBytes(id: number, fromByte: number) {
    return settle(() => this.files.exportBytes(id, fromByte));
  }
  query(id: number, buffered: readonly BufferedPoint[], query: ReadQuery) {
    return settle(() => readWith(this.files, id, (r) => querySeries(r, buffered, query)));
  }
  lastValue(id: number, buffered: readonly BufferedPoint[]) {
    return settle(() => readWith(this.files, id, (r) => lastValueOf(r, buffered)));
  }
  valueAt(id: number, buffered: readonly BufferedPoint[], tsS: number) {
    return settle(() => readWith(this.files, id, (r) => valueNear(r, buffered, tsS)));
  }
}
