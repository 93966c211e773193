import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { Logger } from '../../../src/shared/logger.js';
import { BufferFullError } from '../../../src/timeseries/buffer-backlog.js';
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
const pointsFrom = (fromS: number, count: number, base: number) =>
  Array.from({ length: count }, (_, i) => ({ tsS: fromS + i * 10, value: base + i }));

/** Keeps every error line, to count how often the log speaks. */
function recordingLogger(lines: { msg: string; fields: object }[]): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (fields, msg) => void lines.push({ msg, fields }),
    child: () => log,
  };
  return log;
}

/** Real SQLite, feed files and memory buffer; a backlog cap of 20 points. */
async function started() {
  const dir = makeTempDir(teardown);
  const db = openDatabase(join(dir, 'hub.db'));
  teardown.add(() => db.close());
  migrate(db, timeseriesMigrations);
  const files = new FeedFiles(join(dir, 'feeds'));
  const repo = new SqliteFeedRepo(db);
  const memory = new MemoryWriteBuffer(1000);
  const buffers = { current: () => memory, all: () => [memory], fallback: memory };
  const clock = new ManualClock(NOW_S * 1000);
  const feeds = new FeedService(repo, new LocalFeedStore(files), buffers, clock, {
    maxFutureS: 86_400,
    timeZone: 'UTC',
    maxBufferedPoints: 20,
  });
  const errors: { msg: string; fields: object }[] = [];
  const flusher = new FlushRunner(
    repo,
    new LocalFeedStore(files),
    buffers,
    clock,
    { flushIntervalS: 60 },
    recordingLogger(errors),
    () => ({}),
    feeds.backlog,
  );
  await flusher.start();
  teardown.add(() => flusher.stop());
  return { files, memory, feeds, flusher, clock, errors };
}

describe('a feed whose files were deleted by hand', () => {
  it('drops its points at flush (counted, logged hourly), stays ready, and never fills the cap', async () => {
    const s = await started();
    const gone = s.feeds.create({ ownerId: 1, name: 'gone', intervalS: 10 });
    const fine = s.feeds.create({ ownerId: 1, name: 'fine', intervalS: 10 });
    const { meta, dat } = s.files.paths(gone.id);
    rmSync(meta);
    rmSync(dat);
    // Four rounds of 8 points: 32 in all, past the cap of 20 had they stayed buffered.
    for (let round = 0; round < 4; round++) {
      await s.feeds.post(gone.id, pointsFrom(T0 + round * 80, 8, 1));
      await s.feeds.post(fine.id, pointsFrom(T0 + round * 10, 1, round));
      s.clock.advanceMs(60_000);
      await s.flusher.flush();
      const status = s.flusher.status();
      assert.equal(status.state, 'ready', JSON.stringify(status.detail));
      assert.equal(status.detail?.missingFilesDropped, 8 * (round + 1));
      assert.equal(status.detail?.bufferedPoints, 0);
    }
    assert.equal(await s.memory.length(gone.id), 0);
    assert.equal(s.files.read(fine.id).npoints, 4, 'the other feed is written');
    const notices = s.errors.filter((e) => /buffered points dropped/.test(e.msg));
    assert.deepEqual(
      notices.map((e) => e.fields),
      [{ feedId: gone.id, points: 8 }],
      'one line per hour',
    );

    s.clock.advanceMs(3_600_000);
    await s.feeds.post(gone.id, pointsFrom(T0, 2, 1));
    await s.flusher.flush();
    assert.deepEqual(
      s.errors.filter((e) => /buffered points dropped/.test(e.msg)).map((e) => e.fields),
      [
        { feedId: gone.id, points: 8 },
        { feedId: gone.id, points: 26 },
      ],
      'an hour later it speaks again, with what was dropped since',
    );
  });

  it('keeps the points when the whole feeds directory is empty (data partition not mounted)', async () => {
    const s = await started();
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    await s.feeds.post(feed.id, pointsFrom(T0, 3, 100));
    const feedsDir = s.files.dir;
    renameSync(feedsDir, `${feedsDir}.away`);
    mkdirSync(feedsDir); // an empty mount point
    await s.flusher.flush();
    assert.equal(await s.memory.length(feed.id), 3, 'acknowledged points stay buffered');
    const status = s.flusher.status();
    assert.equal(status.state, 'degraded');
    assert.match(String(status.detail?.reason), /feeds directory holds no feed files/);
    assert.equal(status.detail?.missingFilesDropped, 0);
    await s.feeds.post(feed.id, pointsFrom(T0 + 30, 17, 1));
    await assert.rejects(s.feeds.post(feed.id, pointsFrom(T0 + 200, 1, 1)), BufferFullError);
    rmSync(feedsDir, { recursive: true });
    renameSync(`${feedsDir}.away`, feedsDir);
    s.clock.advanceMs(60_000);
    await s.flusher.flush();
    assert.equal(s.flusher.status().state, 'ready');
    assert.equal(s.files.read(feed.id).npoints, 20);
  });
});
