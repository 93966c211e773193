import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../../src/db/database.sqlite.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createPinoLogger } from '../../../src/shared/logger.pino.js';
import { BufferFullError } from '../../../src/timeseries/buffer-backlog.js';
import { nodeFileWriter, type FileWriter } from '../../../src/timeseries/feed-io.fs.js';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../../src/timeseries/feed-store.local.js';
import { SqliteFeedRepo } from '../../../src/timeseries/feed-repo.sqlite.js';
import { FeedService } from '../../../src/timeseries/feed-service.js';
import { FlushRunner } from '../../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';
import { timeseriesMigrations } from '../../../src/timeseries/migrations.js';
import type { BufferedPoint, WriteBuffer } from '../../../src/timeseries/ports.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const T0 = NOW_S - (NOW_S % 10) - 3600;

/** A disk that fails every data write with `error` while set. */
class FailingDisk implements FileWriter {
  error: Error | undefined;
  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number): number {
    if (this.error) throw this.error;
    return nodeFileWriter.write(fd, bytes, offset, length, position);
  }
  datasync(fd: number): void {
    nodeFileWriter.datasync(fd);
  }
  fsync(fd: number): void {
    nodeFileWriter.fsync(fd);
  }
}

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
const pointsFrom = (fromS: number, count: number, base: number) =>
  Array.from({ length: count }, (_, i) => ({ tsS: fromS + i * 10, value: base + i }));
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: unknown) => err,
  );

/** Real SQLite and feed files; buffers, store and repo are the test's to wrap. */
function setup(
  opts: {
    current?: (memory: MemoryWriteBuffer) => WriteBuffer;
    memoryPoints?: number;
    maxBufferedPoints?: number;
    wrap?: (files: FeedFiles, repo: SqliteFeedRepo) => { files?: FeedFiles; repo?: SqliteFeedRepo };
  } = {},
) {
  const dir = makeTempDir(teardown);
  const db = openDatabase(join(dir, 'hub.db'));
  teardown.add(() => db.close());
  migrate(db, timeseriesMigrations);
  const disk = new FailingDisk();
  const realFiles = new FeedFiles(join(dir, 'feeds'), disk);
  const realRepo = new SqliteFeedRepo(db);
  const wrapped = opts.wrap?.(realFiles, realRepo) ?? {};
  const files = wrapped.files ?? realFiles;
  const repo = wrapped.repo ?? realRepo;
  const memory = new MemoryWriteBuffer(opts.memoryPoints ?? 1000);
  const current = opts.current?.(memory) ?? memory;
  const buffers = {
    current: () => current,
    all: () => (current === memory ? [memory] : [current, memory]),
    fallback: memory,
  };
  const clock = new ManualClock(NOW_S * 1000);
  const store = new LocalFeedStore(files);
  const feeds = new FeedService(repo, store, buffers, clock, {
    maxFutureS: 86_400,
    timeZone: 'UTC',
    maxBufferedPoints: opts.maxBufferedPoints ?? 1_000_000,
  });
  const flusher = new FlushRunner(
    repo,
    store,
    buffers,
    clock,
    { flushIntervalS: 60 },
    createPinoLogger('silent'),
    () => ({}),
    feeds.backlog,
  );
  return { dir, disk, files, repo, memory, feeds, flusher, clock };
}

async function started(s: ReturnType<typeof setup>) {
  await s.flusher.start();
  teardown.add(() => s.flusher.stop());
  return s;
}

const read = (s: ReturnType<typeof setup>, id: number, fromS: number, count: number) =>
  s.feeds
    .read(id, {
      startS: fromS,
      endS: fromS + (count - 1) * 10,
      interval: 10,
      average: false,
      skipMissing: false,
    })
    .then((rows) => rows.map(([, v]) => v));

describe('Redis down: the in-memory buffer refuses rather than drops (finding 1)', () => {
  it('refuses a post that does not fit in the memory buffer, though the backlog cap has room', async () => {
    const s = await started(setup({ memoryPoints: 10, maxBufferedPoints: 1000 }));
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    await s.feeds.post(feed.id, pointsFrom(T0, 8, 100));
    const err = await refusal(s.feeds.post(feed.id, pointsFrom(T0 + 80, 5, 200)));
    assert.ok(err instanceof BufferFullError, String(err));
    assert.equal(err.status, 503);
    assert.match(err.message, /in-memory buffer is full \(8 of 10 points\)/);
    assert.throws(() => s.feeds.admit(3), BufferFullError, 'ingest asks the same question first');
    assert.equal(s.memory.dropped, 0);
    assert.deepEqual(
      await read(s, feed.id, T0, 8),
      pointsFrom(T0, 8, 100).map((p) => p.value),
    );
  });

  it('refuses when Redis fails an append and the points would not fit in memory', async () => {
    const brokenRedis = new MemoryWriteBuffer(1000);
    brokenRedis.append = () => Promise.reject(new Error('Connection is closed.'));
    const s = await started(setup({ current: () => brokenRedis, memoryPoints: 4 }));
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    await s.feeds.post(feed.id, pointsFrom(T0, 3, 100)); // held in memory
    const err = await refusal(s.feeds.post(feed.id, pointsFrom(T0 + 30, 3, 200)));
    assert.ok(err instanceof BufferFullError, String(err));
    assert.equal(s.memory.dropped, 0);
    assert.equal(s.memory.held, 3);
    assert.equal(s.feeds.backlog.heldPoints, 3, 'the refused post holds no reservation');
  });
});

describe('the backlog under concurrent posts (finding 7)', () => {
  it('reserves before the append: two posts cannot pass the cap together', async () => {
    const slowRedis = new MemoryWriteBuffer(1000);
    const append = slowRedis.append.bind(slowRedis);
    slowRedis.append = async (id: number, points: readonly BufferedPoint[]) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return append(id, points);
    };
    const s = await started(setup({ current: () => slowRedis, maxBufferedPoints: 10 }));
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    const results = await Promise.allSettled([
      s.feeds.post(feed.id, pointsFrom(T0, 6, 100)),
      s.feeds.post(feed.id, pointsFrom(T0 + 60, 6, 200)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected'],
    );
    assert.equal(s.feeds.backlog.heldPoints, 6);
  });

  it('tells devices the errno of a failing write, never a path of the machine', async () => {
    const s = await started(setup({ maxBufferedPoints: 5 }));
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    s.disk.error = errno('EACCES', `EACCES: permission denied, open '${s.dir}/feeds/${feed.id}.dat'`);
    await s.feeds.post(feed.id, pointsFrom(T0, 5, 100));
    await s.flusher.flush();
    const err = await refusal(s.feeds.post(feed.id, pointsFrom(T0 + 50, 1, 1)));
    assert.ok(err instanceof BufferFullError);
    assert.match(err.message, new RegExp(`: writing feed ${feed.id} failed: EACCES; nothing was stored$`));
    assert.doesNotMatch(err.message, /\//);
  });
});

describe('failure state follows the buffer (findings 3, 4)', () => {
  for (const change of ['deleted', 'cleared'] as const) {
    it(`a failing feed that is ${change} no longer keeps the flusher degraded`, async () => {
      const s = await started(setup());
      const failing = s.feeds.create({ ownerId: 1, name: 'failing', intervalS: 10 });
      s.disk.error = errno('EIO', 'EIO: i/o error, write');
      await s.feeds.post(failing.id, pointsFrom(T0, 3, 100));
      await s.flusher.flush();
      assert.equal(s.flusher.status().state, 'degraded');
      s.disk.error = undefined; // writable again, but the feed has nothing left to write
      if (change === 'deleted') await s.feeds.delete(failing.id);
      else await s.feeds.clear(failing.id);
      await s.flusher.flush();
      assert.equal(s.flusher.status().state, 'ready', JSON.stringify(s.flusher.status().detail));
      assert.equal(s.feeds.backlog.reason, undefined);
    });
  }

  it('a failed rollup persist after the points were written is its own reason, and clears', async () => {
    let rollupsFail = true;
    const s = await started(
      setup({
        wrap: (files) => {
          const persist = files.persistRollups.bind(files);
          files.persistRollups = (id, force) => {
            if (rollupsFail) throw errno('ENOSPC', 'ENOSPC: no space left on device, write');
            persist(id, force);
          };
          return {};
        },
      }),
    );
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    await s.feeds.post(feed.id, pointsFrom(T0, 3, 100));
    await s.flusher.flush();
    const status = s.flusher.status();
    assert.equal(status.state, 'degraded');
    assert.match(
      String(status.detail?.reason),
      new RegExp(`^persisting the rollups of feed ${feed.id} failed`),
    );
    assert.equal(status.detail?.failingFeeds, undefined, 'no points wait: no write failure');
    assert.equal(s.memory.held, 0);
    assert.equal(s.files.read(feed.id).npoints, 3);
    rollupsFail = false;
    await s.flusher.flush();
    assert.equal(s.flusher.status().state, 'ready');
  });
});

describe('a failing disk or database never looks like a deleted feed (finding 5)', () => {
  it('keeps the points when the feed directory cannot be read (ENOTDIR), writes them once it can', async () => {
    const s = await started(setup());
    const feed = s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 });
    await s.feeds.post(feed.id, pointsFrom(T0, 3, 100));
    const feedsDir = s.files.dir;
    renameSync(feedsDir, `${feedsDir}.away`);
    writeFileSync(feedsDir, 'not a directory');
    await s.flusher.flush();
    assert.equal(s.memory.held, 3, 'acknowledged points stay buffered');
    assert.equal(s.flusher.status().state, 'degraded');
    rmSync(feedsDir);
    renameSync(`${feedsDir}.away`, feedsDir);
    s.clock.advanceMs(60_000);
    await s.flusher.flush();
    assert.equal(s.flusher.status().state, 'ready');
    assert.deepEqual([...s.files.values(feed.id, 0, 3)], [100, 101, 102]);
  });

  it('reports degraded when the database throws for one feed, and still writes the others', async () => {
    let brokenId = -1;
    const s = await started(
      setup({
        wrap: (_files, repo) => {
          const get = repo.get.bind(repo);
          repo.get = (id) => {
            if (id === brokenId) throw errno('SQLITE_IOERR', 'disk I/O error');
            return get(id);
          };
          return {};
        },
      }),
    );
    const broken = s.feeds.create({ ownerId: 1, name: 'broken', intervalS: 10 });
    const fine = s.feeds.create({ ownerId: 1, name: 'fine', intervalS: 10 });
    await s.feeds.post(broken.id, pointsFrom(T0, 2, 1));
    await s.feeds.post(fine.id, pointsFrom(T0, 2, 5));
    brokenId = broken.id;
    await s.flusher.flush();
    assert.equal(s.flusher.status().state, 'degraded');
    assert.match(String(s.flusher.status().detail?.reason), /disk I\/O error/);
    assert.equal(s.files.read(fine.id).npoints, 2);
    assert.equal(await s.memory.length(broken.id), 2);
    brokenId = -1;
    await s.flusher.flush();
    assert.equal(s.flusher.status().state, 'ready');
    assert.equal(s.files.read(broken.id).npoints, 2);
  });
});

describe('a feed whose files cannot be made leaves nothing behind (finding 8)', () => {
  it('rolls the row back when create fails, so the name and id are free again', () => {
    let full = true;
    const s = setup({
      wrap: (files) => {
        const create = files.create.bind(files);
        files.create = (id, intervalS) => {
          if (full) throw errno('ENOSPC', 'ENOSPC: no space left on device, write');
          create(id, intervalS);
        };
        return {};
      },
    });
    assert.throws(() => s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 }, 7), /ENOSPC/);
    assert.deepEqual(s.feeds.list(), []);
    assert.equal(s.feeds.isIdTaken(7), false);
    full = false;
    assert.equal(s.feeds.create({ ownerId: 1, name: 'house', intervalS: 10 }, 7).id, 7);
  });

  it('rolls an import back when copying its data fails, so a re-run can take the same id', async () => {
    let full = true;
    const s = setup({
      wrap: (files) => {
        const importData = files.importData.bind(files);
        files.importData = (...args) => {
          if (full) throw errno('ENOSPC', 'ENOSPC: no space left on device, copyfile');
          importData(...args);
        };
        return {};
      },
    });
    const source = join(s.dir, 'emoncms');
    mkdirSync(source);
    writeFileSync(join(source, '12.dat'), new Uint8Array(new Float32Array([1, 2]).buffer));
    const candidate = {
      emoncmsId: 12,
      name: 'use',
      tag: 'house',
      unit: 'W',
      public: false,
      intervalS: 10,
      startTimeS: T0,
      npoints: 2,
      partialBytes: 0,
    };
    await assert.rejects(s.feeds.importFeed(candidate, 1, join(source, '12.dat')), /ENOSPC/);
    assert.equal(s.feeds.isIdTaken(12), false, 'neither a row nor files hold the id');
    full = false;
    assert.equal((await s.feeds.importFeed(candidate, 1, join(source, '12.dat'))).id, 12);
    assert.deepEqual([...s.files.values(12, 0, 2)], [1, 2]);
  });
});
