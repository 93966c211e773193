import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createPinoLogger } from '../../../src/shared/logger.pino.js';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../../src/timeseries/feed-store.local.js';
import { SqliteFeedRepo } from '../../../src/timeseries/feed-repo.sqlite.js';
import { FeedService } from '../../../src/timeseries/feed-service.js';
import { FlushRunner } from '../../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';
import { timeseriesMigrations } from '../../../src/timeseries/migrations.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const T0 = NOW_S - (NOW_S % 10) - 3600;

/** Lets the I/O and promise callbacks a flush started run (bounded). */
async function settled(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await settled(1);
  assert.ok(done(), 'the timer-driven flush did not happen');
}

describe('the flusher on a manual clock', () => {
  it('flushes every flushIntervalS of clock time, and stops its timer on stop', async () => {
    const dir = makeTempDir(teardown);
    const db = openDatabase(join(dir, 'hub.db'));
    teardown.add(() => db.close());
    migrate(db, timeseriesMigrations);
    const repo = new SqliteFeedRepo(db);
    const files = new FeedFiles(join(dir, 'feeds'));
    const store = new LocalFeedStore(files);
    const memory = new MemoryWriteBuffer(1000);
    const buffers = { current: () => memory, all: () => [memory], fallback: memory };
    const clock = new ManualClock(NOW_S * 1000);
    const feeds = new FeedService(repo, store, buffers, clock, { maxFutureS: 86_400, timeZone: 'UTC' });
    const flusher = new FlushRunner(
      repo,
      store,
      buffers,
      clock,
      { flushIntervalS: 60 },
      createPinoLogger('silent'),
    );
    const feed = feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });

    await flusher.start(); // the start flush
    assert.equal(flusher.counters.flushes, 1);
    assert.equal(clock.pendingTimers(), 1, 'one interval timer, on the clock');
    await feeds.post(feed.id, [{ tsS: T0, value: 5 }]);

    await clock.tickAsync(59_999);
    await settled();
    assert.equal(flusher.counters.flushes, 1);
    assert.equal(files.read(feed.id).npoints, 0, 'nothing written before the interval');
    await clock.tickAsync(1);
    await until(() => flusher.counters.flushes === 2);
    assert.equal(files.read(feed.id).npoints, 1, 'written by the flush at 60 s');
    assert.equal(memory.held, 0);

    await clock.tickAsync(120_000);
    await until(() => flusher.counters.flushes === 4);

    await flusher.stop();
    assert.equal(clock.pendingTimers(), 0, 'stop cancels the interval');
    const stopped = flusher.counters.flushes;
    await clock.tickAsync(600_000);
    assert.equal(flusher.counters.flushes, stopped, 'no flush after stop');
  });
});
