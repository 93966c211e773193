import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createPinoLogger } from '../../../src/shared/logger.pino.js';
import { nodeFileWriter, type FileWriter } from '../../../src/timeseries/feed-io.fs.js';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { querySeries, readWith } from '../../../src/timeseries/feed-queries.js';
import { SqliteFeedRepo } from '../../../src/timeseries/feed-repo.sqlite.js';
import { FeedService } from '../../../src/timeseries/feed-service.js';
import { LocalFeedStore } from '../../../src/timeseries/feed-store.local.js';
import { FlushRunner } from '../../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';
import { timeseriesMigrations } from '../../../src/timeseries/migrations.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// Stop on a slow SD card (issue 12): every fsync at stop counts against main.ts's 5 s deadline, so
// the stop writes the data and leaves the rollup tail to later flushes (ADR 003).

const teardown = useTeardown();
const DAY_START_S = 1_790_035_200; // a UTC midnight
const FEEDS = 5;

/** The real disk, counting the syncs (each ~20 ms on a slow SD card). */
class CountingDisk implements FileWriter {
  syncs = 0;
  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
    return nodeFileWriter.write(fd, bytes, offset, length, position);
  }
  datasync(fd: number): void {
    this.syncs++;
    nodeFileWriter.datasync(fd);
  }
  fsync(fd: number): void {
    this.syncs++;
    nodeFileWriter.fsync(fd);
  }
}

/** One run of hubd's feed storage over `dir`: SQLite, the files, an in-process buffer, the flusher. */
function openRun(dir: string, clock: ManualClock) {
  const db = openDatabase(join(dir, 'hub.db'));
  teardown.add(() => db.close());
  migrate(db, timeseriesMigrations);
  const repo = new SqliteFeedRepo(db);
  const disk = new CountingDisk();
  const files = new FeedFiles(join(dir, 'feeds'), disk);
  const store = new LocalFeedStore(files);
  const memory = new MemoryWriteBuffer(100_000);
  const buffers = { current: () => memory, all: () => [memory], fallback: memory };
  const feeds = new FeedService(repo, store, buffers, clock, { maxFutureS: 86_400, timeZone: 'UTC' });
  const flusher = new FlushRunner(
    repo,
    store,
    buffers,
    clock,
    { flushIntervalS: 60 },
    createPinoLogger('silent'),
  );
  teardown.add(() => flusher.stop());
  return { db, disk, files, feeds, flusher };
}

/** 10 s values, constant within each 600 s bucket, so every average is exact. */
const valueAt = (tsS: number) => Math.floor((tsS - DAY_START_S) / 600) % 50;
const points = (fromS: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ tsS: fromS + i * 10, value: valueAt(fromS + i * 10) }));

function expectedAverages(fromS: number, toS: number, intervalS: number): [number, number][] {
  const out: [number, number][] = [];
  for (let t = fromS; t < toS; t += intervalS) {
    let sum = 0;
    for (let s = t; s < t + intervalS; s += 10) sum += valueAt(s);
    out.push([t, sum / (intervalS / 10)]);
  }
  return out;
}

const averaged = (files: FeedFiles, id: number, startS: number, endS: number, interval: number) =>
  readWith(files, id, (reader) =>
    querySeries(reader, [], { startS, endS, interval, average: true, skipMissing: false, timeZone: 'UTC' }),
  );

describe('stop on a slow disk', () => {
  it('writes the buffered data with one sync per feed and no rollup writes; rollups are right after the restart', async () => {
    const dir = makeTempDir(teardown);
    const clock = new ManualClock((DAY_START_S + 2 * 86_400) * 1000);
    const first = openRun(dir, clock);
    const ids = Array.from(
      { length: FEEDS },
      (_, i) => first.feeds.create({ ownerId: 1, name: `feed ${i}`, intervalS: 10 }).id,
    );
    await first.flusher.start();
    // Two hours written and their rollups persisted (a feed's first persist writes all it has).
    for (const id of ids) await first.feeds.post(id, points(DAY_START_S, 720));
    await first.flusher.flush();
    const twoHoursS = DAY_START_S + 7200;
    const fourHoursS = twoHoursS + 7200;
    for (const id of ids) assert.equal(first.files.rollupHeaderOf(id, 600)?.validEndSlot, twoHoursS / 10);
    // Two more hours buffered: 12 complete 600 s buckets and 2 hourly ones the stop could persist.
    for (const id of ids) await first.feeds.post(id, points(twoHoursS, 720));

    const syncsBefore = first.disk.syncs;
    await first.flusher.stop();
    for (const id of ids) assert.equal(first.files.read(id).npoints, 1440, `feed ${id}: its data is written`);
    assert.equal(first.disk.syncs - syncsBefore, FEEDS, 'one fdatasync per feed written, nothing more');
    for (const id of ids)
      for (const levelS of [600, 3600])
        assert.equal(
          first.files.rollupHeaderOf(id, levelS)?.validEndSlot,
          twoHoursS / 10,
          'no rollup written at stop',
        );
    assert.equal(first.flusher.rollupTailsLeftAtStop, FEEDS, 'what the stop left is counted');

    // The next start: the tail is summed from the data until a flush persists it.
    const second = openRun(dir, clock);
    await second.flusher.start();
    const id = ids[0]!;
    assert.deepEqual(
      averaged(second.files, id, DAY_START_S, fourHoursS - 600, 600),
      expectedAverages(DAY_START_S, fourHoursS, 600),
    );
    assert.deepEqual(
      averaged(second.files, id, DAY_START_S, fourHoursS - 3600, 3600),
      expectedAverages(DAY_START_S, fourHoursS, 3600),
    );

    // A day more: past the persist batch (144 buckets), the flusher persists the rollups, the
    // tail written before the stop included.
    await second.feeds.post(id, points(fourHoursS, 8640));
    await second.flusher.flush();
    const endS = fourHoursS + 86_400;
    for (const levelS of [600, 3600])
      assert.equal(
        second.files.rollupHeaderOf(id, levelS)?.validEndSlot,
        endS / 10,
        'rollups persisted up to the data',
      );
    assert.deepEqual(
      averaged(second.files, id, DAY_START_S, endS - 600, 600),
      expectedAverages(DAY_START_S, endS, 600),
    );
    assert.deepEqual(
      averaged(second.files, id, DAY_START_S, endS - 3600, 3600),
      expectedAverages(DAY_START_S, endS, 3600),
    );
    await second.flusher.stop();
  });
});
