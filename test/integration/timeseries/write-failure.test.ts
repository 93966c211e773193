import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { UserError } from '../../../src/shared/errors.js';
import { createPinoLogger } from '../../../src/shared/logger.pino.js';
import { createKeys } from '../../../src/state/keys.js';
import { BufferFullError } from '../../../src/timeseries/buffer-backlog.js';
import { nodeFileWriter, type FileWriter } from '../../../src/timeseries/feed-io.fs.js';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../../src/timeseries/feed-store.local.js';
import { SqliteFeedRepo } from '../../../src/timeseries/feed-repo.sqlite.js';
import { FeedService } from '../../../src/timeseries/feed-service.js';
import { FlushRunner } from '../../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';
import { timeseriesMigrations } from '../../../src/timeseries/migrations.js';
import { RedisWriteBuffer } from '../../../src/timeseries/write-buffer.redis.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const T0 = NOW_S - (NOW_S % 10) - 3600;

/** A disk that, while full, writes half of what it is asked (a short write) and then fails. */
class FillingDisk implements FileWriter {
  full = false;
  attempts = 0;
  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
    if (!this.full) return nodeFileWriter.write(fd, bytes, offset, length, position);
    this.attempts++;
    if (length > 4) return nodeFileWriter.write(fd, bytes, offset, Math.floor(length / 2) + 1, position);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
  datasync(fd: number): void {
    nodeFileWriter.datasync(fd);
  }
  fsync(fd: number): void {
    nodeFileWriter.fsync(fd);
  }
}

const pointsFrom = (fromS: number, count: number, base: number) =>
  Array.from({ length: count }, (_, i) => ({ tsS: fromS + i * 10, value: base + i }));

describe('a failing disk keeps acknowledged readings (failing writer through the I/O seam)', () => {
  it('keeps points buffered, retries with backoff, reports degraded, refuses past the cap, then writes all', async () => {
    const redisServer = await startRedis();
    teardown.add(() => redisServer.stop());
    const redis = new Redis(redisServer.url);
    teardown.add(() => redis.quit());
    const dir = makeTempDir(teardown);
    const db = openDatabase(join(dir, 'hub.db'));
    teardown.add(() => db.close());
    migrate(db, timeseriesMigrations);
    const disk = new FillingDisk();
    const repo = new SqliteFeedRepo(db);
    const files = new FeedFiles(join(dir, 'feeds'), disk);
    const redisBuffer = new RedisWriteBuffer(() => redis, createKeys('hub'));
    const fallback = new MemoryWriteBuffer(1000);
    const buffers = { current: () => redisBuffer, all: () => [redisBuffer], fallback };
    const clock = new ManualClock(NOW_S * 1000);
    const feeds = new FeedService(repo, new LocalFeedStore(files), buffers, clock, {
      maxFutureS: 86_400,
      timeZone: 'UTC',
      maxBufferedPoints: 20,
    });
    const flusher = new FlushRunner(
      repo,
      new LocalFeedStore(files),
      buffers,
      clock,
      { flushIntervalS: 60 },
      createPinoLogger('silent'),
      () => ({}),
      feeds.backlog,
    );
    await flusher.start();
    teardown.add(() => flusher.stop());
    const feed = feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });

    await feeds.post(feed.id, pointsFrom(T0, 3, 100));
    await flusher.flush();
    assert.equal(flusher.status().state, 'ready');

    disk.full = true;
    await feeds.post(feed.id, pointsFrom(T0 + 30, 5, 200)); // acknowledged while the disk is full
    await flusher.flush();
    const status = flusher.status();
    assert.equal(status.state, 'degraded');
    assert.match(String(status.detail?.reason), /^writing feed \d+ failed: ENOSPC: no space left on device/);
    assert.equal(await redis.llen(`hub:feed:${feed.id}:buffer`), 5, 'the points stay in the buffer');
    assert.equal(flusher.counters.pointsDropped, 0);
    assert.equal(
      (
        await feeds.read(feed.id, {
          startS: T0 + 70,
          endS: T0 + 75,
          interval: 10,
          average: false,
          skipMissing: false,
        })
      )[0]?.[1],
      204,
      'still readable',
    );

    // Backoff: one flush interval after the first failure, then two, then four.
    const tries = () => disk.attempts;
    let before = tries();
    await flusher.flush();
    assert.equal(tries(), before, 'not retried before its time');
    clock.advanceMs(60_000);
    await flusher.flush();
    assert.ok(tries() > before, 'retried after one interval');
    before = tries();
    clock.advanceMs(60_000);
    await flusher.flush();
    assert.equal(tries(), before, 'the second retry waits two intervals');
    clock.advanceMs(60_000);
    await flusher.flush();
    assert.ok(tries() > before);

    // The buffer's cap: 5 held, 15 more fit, the next is refused with the reason.
    await feeds.post(feed.id, pointsFrom(T0 + 80, 15, 300));
    const refused = await feeds.post(feed.id, [{ tsS: T0 + 230, value: 1 }]).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(refused instanceof BufferFullError);
    assert.ok(refused instanceof UserError && refused.status === 503);
    assert.match(
      refused.message,
      /write-behind buffer is full \(20 of 20 points\): writing feed \d+ failed: ENOSPC/,
    );

    // Space returns: everything acknowledged reaches the files, once.
    disk.full = false;
    clock.advanceMs(300_000);
    await flusher.flush();
    assert.equal(flusher.status().state, 'ready');
    assert.equal(await redis.llen(`hub:feed:${feed.id}:buffer`), 0);
    const stored = new FeedFiles(files.dir);
    assert.deepEqual(stored.read(feed.id), { intervalS: 10, startTimeS: T0, npoints: 23 });
    assert.deepEqual(
      [...stored.values(feed.id, 0, 23)],
      [...pointsFrom(T0, 3, 100), ...pointsFrom(T0 + 30, 5, 200), ...pointsFrom(T0 + 80, 15, 300)].map(
        (p) => p.value,
      ),
    );
    assert.equal(feeds.backlog.heldPoints, 0);
    await feeds.post(feed.id, [{ tsS: T0 + 230, value: 1 }]); // accepted again
  });
});

/** Mounts a 1 MiB tmpfs; undefined when this process may not (not root, no CAP_SYS_ADMIN). */
function mountTmpfs(dir: string): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs';
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    return `cannot mount a tmpfs: ${(err as Error).message.split('\n')[0]}`;
  }
  teardown.add(() => execFileSync('umount', [dir]));
  return undefined;
}

/** Writes a file until the filesystem is full. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(4096).fill(7);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe('a full data partition (the feeds on a real 1 MiB tmpfs)', () => {
  const dataDir = makeTempDir(teardown);
  let skip: string | undefined;
  before(() => {
    skip = mountTmpfs(join(dataDir, 'feeds'));
  });

  it('answers 503 past the cap, reports not ready, and loses nothing acknowledged once space returns', async (t) => {
    if (skip) return t.skip(skip);
    const clock = new ManualClock(NOW_S * 1000);
    const { hub, admin } = await startHubWithAdmin(teardown, {
      dataDir,
      clock,
      config: { timeseries: { maxBufferedPoints: 2000 } },
    });
    const created = await admin.request('POST', '/api/v1/feeds', { json: { name: 'house', intervalS: 10 } });
    const id = (created.body as { id: number }).id;
    const post = (fromS: number, count: number, base: number) =>
      admin.request('POST', `/api/v1/feeds/${id}/points`, {
        json: { points: pointsFrom(fromS, count, base).map((p) => [p.tsS, p.value]) },
      });
    const flusherState = () =>
      hub.hub.readiness().components['feed-flusher'] as { state: string; detail: { reason?: string } };

    assert.equal((await post(T0 - 20_000, 10, 1)).status, 200);
    await hub.flusher.flush();
    const filler = join(dataDir, 'feeds', 'filler');
    fill(filler);

    // 1500 values need new pages the full filesystem does not have.
    assert.equal((await post(T0 - 19_900, 1500, 1000)).status, 200);
    await hub.flusher.flush();
    assert.equal(flusherState().state, 'degraded');
    assert.match(flusherState().detail.reason ?? '', /^writing feed \d+ failed: ENOSPC/);
    const ready = await admin.request('GET', '/readyz');
    assert.equal(ready.status, 503);

    const refused = await post(T0 - 4_900, 600, 5000);
    assert.equal(refused.status, 503, refused.text);
    assert.match((refused.body as { error: string }).error, /write-behind buffer is full/);

    rmSync(filler);
    clock.advanceMs(600_000);
    await hub.flusher.flush();
    assert.equal(flusherState().state, 'ready');
    const data = await admin.request(
      'GET',
      `/api/v1/feeds/${id}/data?start=${T0 - 20_000}&end=${T0 - 20_000 + 1509 * 10}&interval=10`,
    );
    const acknowledged = [...pointsFrom(T0 - 20_000, 10, 1), ...pointsFrom(T0 - 19_900, 1500, 1000)];
    assert.deepEqual(
      data.body,
      acknowledged.map((p) => [p.tsS, p.value]),
    );
    const meta = hub.feeds.meta(id);
    assert.equal(meta.npoints, 1510, 'all of it in the file, none of it only in the buffer');
  });
});
