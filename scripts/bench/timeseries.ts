// npm run bench:timeseries — the time-series engine against a plain SQLite table (feed, ts, value)
// holding the same data, measured in the same run. Prints one JSON line per figure.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ManualClock } from '../../src/shared/clock.js';
import type { Logger } from '../../src/shared/logger.js';
import { createKeys } from '../../src/state/keys.js';
import { answersPing } from '../../src/state/embedded-redis.process.js';
import { FeedFiles } from '../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../src/timeseries/feed-store.local.js';
import { ThreadFeedStore } from '../../src/timeseries/feed-store.thread.js';
import { DEFAULT_READ_CACHE_BYTES } from '../../src/timeseries/read-cache.js';
import { benchFlushEventLoop } from './flush-event-loop.js';
import { benchReadEventLoop } from './read-event-loop.js';
import { FeedService } from '../../src/timeseries/feed-service.js';
import { FlushRunner } from '../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../src/timeseries/memory-buffer.js';
import type { FeedRecord, FeedRepo, NewFeed } from '../../src/timeseries/ports.js';
import { RedisWriteBuffer } from '../../src/timeseries/write-buffer.redis.js';

const YEAR_START_S = 1_735_689_600; // 2025-01-01T00:00:00Z
const INTERVAL_S = 10;
const YEAR_POINTS = 3_153_600;
const READ_RUNS = 15;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function emit(metric: string, fields: Record<string, number | string | boolean>): void {
  console.log(JSON.stringify({ bench: 'timeseries', metric, ...fields }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time<T>(fn: () => T): [number, T] {
  const t0 = performance.now();
  const out = fn();
  return [performance.now() - t0, out];
}

/** A read's medians (engine on the calling thread, through the worker, SQLite), from one run. */
function emitRead(
  metric: string,
  points: number,
  cache: string,
  engineMs: number[],
  workerMs: number[],
  sqlMs: number[],
): void {
  const e = median(engineMs);
  const s = median(sqlMs);
  emit(metric, {
    points,
    cache,
    engine: +e.toFixed(3),
    engine_min: +Math.min(...engineMs).toFixed(3),
    engine_worker: +median(workerMs).toFixed(3),
    engine_worker_min: +Math.min(...workerMs).toFixed(3),
    baseline_sqlite: +s.toFixed(3),
    ratio: +(s / e).toFixed(1),
  });
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function writeBytes(): number {
  return Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
}

/** Household-like power: a daily shape, noise, a few gaps (a router reboot, a week away of the gateway). */
function yearOfPower(): Float32Array {
  const values = new Float32Array(YEAR_POINTS);
  let seed = 42;
  const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  for (let i = 0; i < YEAR_POINTS; i++) {
    const hour = ((i * INTERVAL_S) % 86_400) / 3600;
    values[i] = 250 + 900 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI)) + rnd() * 150;
  }
  for (const [from, len] of [
    [400_000, 360],
    [1_200_000, 60_480],
    [2_500_000, 8640],
  ] as const)
    values.fill(NaN, from, from + len);
  return values;
}

class MemoryFeedRepo implements FeedRepo {
  private feeds = new Map<number, FeedRecord>();
  insert(feed: NewFeed): FeedRecord {
    const record = { ...feed, id: this.feeds.size + 1 };
    this.feeds.set(record.id, record);
    return record;
  }
  get(id: number) {
    return this.feeds.get(id);
  }
  list() {
    return [...this.feeds.values()];
  }
  update() {}
  delete(id: number) {
    this.feeds.delete(id);
  }
}

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  while (!(await answersPing({ host: '127.0.0.1', port }))) await new Promise((r) => setTimeout(r, 20));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  try {
    const values = yearOfPower();
    const clock = new ManualClock((YEAR_START_S + YEAR_POINTS * INTERVAL_S) * 1000);
    const repo = new MemoryFeedRepo();
    // The calling-thread engine keeps read blocks across queries as hubd's worker does.
    const files = new FeedFiles(join(dir, 'feeds'), undefined, { readCacheBytes: DEFAULT_READ_CACHE_BYTES });
    const noBuffer = new MemoryWriteBuffer(1);
    const local = new LocalFeedStore(files);
    const feeds = new FeedService(
      repo,
      local,
      { current: () => noBuffer, all: () => [noBuffer], fallback: noBuffer },
      clock,
      {
        maxFutureS: 86_400,
        timeZone: 'Europe/London',
      },
    );

    // ---- load a year: engine (day-sized writes + rollups) vs SQLite (one transaction per day)
    const feed = feeds.create({ ownerId: 1, name: 'year', intervalS: INTERVAL_S });
    const [engineLoadMs] = time(() => {
      for (let d = 0; d < 365; d++) {
        const points = [];
        for (let i = d * 8640; i < (d + 1) * 8640; i++)
          points.push({ tsS: YEAR_START_S + i * INTERVAL_S, value: values[i]! });
        files.write(feed.id, points, false);
        files.persistRollups(feed.id, false);
      }
      files.persistRollups(feed.id, true);
    });
    const db = new Database(join(dir, 'baseline.db'));
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE samples (feed INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL, PRIMARY KEY (feed, ts)) WITHOUT ROWID',
    );
    const insert = db.prepare('INSERT INTO samples (feed, ts, value) VALUES (?, ?, ?)');
    const [sqliteLoadMs] = time(() => {
      for (let d = 0; d < 365; d++) {
        db.transaction(() => {
          for (let i = d * 8640; i < (d + 1) * 8640; i++) {
            const v = values[i]!;
            if (v === v) insert.run(1, YEAR_START_S + i * INTERVAL_S, v);
          }
        })();
      }
    });
    emit('load_year_values_per_s', {
      engine: Math.round(YEAR_POINTS / (engineLoadMs / 1000)),
      baseline_sqlite: Math.round(YEAR_POINTS / (sqliteLoadMs / 1000)),
      ratio: +(sqliteLoadMs / engineLoadMs).toFixed(2),
    });

    // ---- reads: median of READ_RUNS, engine through FeedService (as the API reads) vs SQL
    const endS = YEAR_START_S + YEAR_POINTS * INTERVAL_S;
    const reads: {
      metric: string;
      engine: (service?: FeedService, shiftS?: number) => Promise<unknown>;
      sql: (shiftS?: number) => unknown;
      points: number;
    }[] = [];
    const yearInterval = Math.round((endS - YEAR_START_S) / 800 / INTERVAL_S) * INTERVAL_S;
    const avgSql = db.prepare(
      'SELECT (ts - ?) / ? AS b, AVG(value) FROM samples WHERE feed = 1 AND ts >= ? AND ts < ? GROUP BY b ORDER BY b',
    );
    const rawSql = db.prepare(
      'SELECT ts, value FROM samples WHERE feed = 1 AND ts >= ? AND ts <= ? ORDER BY ts',
    );
    const dayStart = YEAR_START_S + 180 * 86_400;
    const weekStart = YEAR_START_S + 200 * 86_400;
    reads.push({
      metric: 'read_year_800_avg_ms',
      points: 800,
      engine: (service = feeds, shiftS = 0) =>
        service.read(feed.id, {
          startS: YEAR_START_S + shiftS,
          endS: endS + shiftS,
          interval: yearInterval,
          average: true,
          skipMissing: false,
        }),
      sql: (shiftS = 0) =>
        avgSql.all(YEAR_START_S + shiftS, yearInterval, YEAR_START_S + shiftS, endS + shiftS),
    });
    reads.push({
      metric: 'read_day_full_resolution_ms',
      points: 8640,
      engine: (service = feeds) =>
        service.read(feed.id, {
          startS: dayStart,
          endS: dayStart + 86_390,
          interval: 10,
          average: false,
          skipMissing: false,
        }),
      sql: () => rawSql.all(dayStart, dayStart + 86_390),
    });
    reads.push({
      metric: 'read_week_600s_avg_ms',
      points: 1008,
      engine: (service = feeds) =>
        service.read(feed.id, {
          startS: weekStart,
          endS: weekStart + 7 * 86_400,
          interval: 600,
          average: true,
          skipMissing: false,
        }),
      sql: () => avgSql.all(weekStart, 600, weekStart, weekStart + 7 * 86_400),
    });
    reads.push({
      metric: 'read_year_daily_ms',
      points: 365,
      engine: (service = feeds) =>
        service.read(feed.id, {
          startS: YEAR_START_S,
          endS,
          interval: 'daily',
          average: true,
          skipMissing: false,
        }),
      sql: () => avgSql.all(YEAR_START_S, 86_400, YEAR_START_S, endS),
    });
    // The same reads through hubd's worker thread (ADR 007), each one a message there and back.
    const thread = new ThreadFeedStore(files.dir, undefined, DEFAULT_READ_CACHE_BYTES);
    await thread.start();
    const viaWorker = new FeedService(
      repo,
      thread,
      { current: () => noBuffer, all: () => [noBuffer], fallback: noBuffer },
      clock,
      { maxFutureS: 86_400, timeZone: 'Europe/London' },
    );
    try {
      // Cold: both engines' caches of read blocks dropped before each read (a feed nobody has
      // charted lately: every bucket edge is a system call, ADR 003).
      const dropCaches = async () => {
        files.dropReadCache();
        await thread.dropReadCache();
      };
      for (const r of reads) {
        const engineMs: number[] = [];
        const workerMs: number[] = [];
        const sqlMs: number[] = [];
        for (let i = 0; i < READ_RUNS; i++) {
          await dropCaches();
          engineMs.push(await timeAsync(r.engine));
          workerMs.push(await timeAsync(() => r.engine(viaWorker)));
          sqlMs.push(time(r.sql)[0]);
        }
        emitRead(r.metric, r.points, 'cold: cache dropped before each read', engineMs, workerMs, sqlMs);
      }
      // Warm, sliding: a dashboard asking for "last year" again, its start 10 s later each time,
      // after one read of the year has filled the caches.
      const year = reads[0]!;
      await year.engine();
      await year.engine(viaWorker);
      const engineMs: number[] = [];
      const workerMs: number[] = [];
      const sqlMs: number[] = [];
      for (let i = 1; i <= READ_RUNS; i++) {
        engineMs.push(await timeAsync(() => year.engine(feeds, i * 10)));
        workerMs.push(await timeAsync(() => year.engine(viaWorker, i * 10)));
        sqlMs.push(time(() => year.sql(i * 10))[0]);
      }
      const warm = 'warm: start 10 s later than the read before, caches kept';
      emitRead('read_year_800_avg_warm_sliding_ms', 800, warm, engineMs, workerMs, sqlMs);
      await benchReadEventLoop(
        emit,
        () => (files.dropReadCache(), reads[0]!.engine()),
        () => thread.dropReadCache().then(() => reads[0]!.engine(viaWorker)),
      );
    } finally {
      await thread.stop();
    }

    // ---- write throughput through the Redis buffer and the flusher
    const redis = await startRedis();
    const client = new Redis(redis.url);
    try {
      const redisBuffer = new RedisWriteBuffer(() => client, createKeys('bench'));
      const buffers = { current: () => redisBuffer, all: () => [redisBuffer], fallback: noBuffer };
      const dayS = YEAR_START_S + 400 * 86_400;
      const dayClock = new ManualClock(dayS * 1000);
      const live = new FeedService(repo, local, buffers, dayClock, {
        maxFutureS: 86_400,
        timeZone: 'Europe/London',
      });
      const flusher = new FlushRunner(repo, local, buffers, dayClock, { flushIntervalS: 60 }, quiet);
      const ids = Array.from(
        { length: 20 },
        (_, i) => live.create({ ownerId: 1, name: `f${i}`, intervalS: 10 }).id,
      );

      // A simulated day of 20 feeds at 10 s: every minute each feed gets its 6 readings (one
      // post per reading, as MQTT delivers them), then the flusher runs.
      const ioBefore = writeBytes();
      const tWrite = performance.now();
      for (let minute = 0; minute < 1440; minute++) {
        for (const id of ids) {
          for (let k = 0; k < 6; k++) {
            const tsS = dayS + minute * 60 + k * 10;
            await live.post(id, [{ tsS, value: 100 + ((minute * 6 + k) % 500) }]);
          }
        }
        dayClock.advanceMs(60_000);
        await flusher.flush();
      }
      const writeMs = performance.now() - tWrite;
      const ioAfter = writeBytes();
      const dayValues = 20 * 8640;

      // Bulk: a week of one feed in posts of 1000 readings, then one flush; against SQLite inserts
      // of the same batches, one transaction each.
      const bulk = live.create({ ownerId: 1, name: 'bulk', intervalS: 10 }).id;
      const weekValues = 7 * 8640;
      const bulkStartS = dayS - 8 * 86_400;
      const tBulk = performance.now();
      for (let i = 0; i < weekValues; i += 1000) {
        const batch = [];
        for (let k = i; k < Math.min(weekValues, i + 1000); k++)
          batch.push({ tsS: bulkStartS + k * 10, value: values[k]! });
        await live.post(bulk, batch);
      }
      await flusher.flush();
      const bulkMs = performance.now() - tBulk;
      const bulkDb = new Database(join(dir, 'baseline-bulk.db'));
      bulkDb.pragma('journal_mode = WAL');
      bulkDb.exec(
        'CREATE TABLE samples (feed INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL, PRIMARY KEY (feed, ts)) WITHOUT ROWID',
      );
      const bulkInsert = bulkDb.prepare('INSERT INTO samples VALUES (?, ?, ?)');
      const [bulkSqlMs] = time(() => {
        for (let i = 0; i < weekValues; i += 1000) {
          bulkDb.transaction(() => {
            for (let k = i; k < Math.min(weekValues, i + 1000); k++)
              bulkInsert.run(1, bulkStartS + k * 10, values[k]!);
          })();
        }
      });
      bulkDb.close();
      emit('write_through_buffer_values_per_s', {
        mode: 'posts of 1000 values, then a flush',
        engine: Math.round(weekValues / (bulkMs / 1000)),
        baseline_sqlite: Math.round(weekValues / (bulkSqlMs / 1000)),
        ratio: +(bulkSqlMs / bulkMs).toFixed(2),
      });
      emit('write_through_buffer_values_per_s', {
        mode: 'simulated day: 20 feeds, one post per reading, a flush every minute',
        engine: Math.round(dayValues / (writeMs / 1000)),
      });

      // The same day into SQLite, one transaction per minute (the baseline's own write-behind).
      const sqlDb = new Database(join(dir, 'baseline-day.db'));
      sqlDb.pragma('journal_mode = WAL');
      sqlDb.pragma('synchronous = NORMAL');
      sqlDb.exec(
        'CREATE TABLE samples (feed INTEGER NOT NULL, ts INTEGER NOT NULL, value REAL, PRIMARY KEY (feed, ts)) WITHOUT ROWID',
      );
      const ins = sqlDb.prepare('INSERT INTO samples VALUES (?, ?, ?)');
      const sqlIoBefore = writeBytes();
      for (let minute = 0; minute < 1440; minute++) {
        sqlDb.transaction(() => {
          for (const id of ids)
            for (let k = 0; k < 6; k++)
              ins.run(id, dayS + minute * 60 + k * 10, 100 + ((minute * 6 + k) % 500));
        })();
        sqlDb.pragma('wal_checkpoint(PASSIVE)');
      }
      const sqlIo = writeBytes() - sqlIoBefore;
      sqlDb.close();
      const engineIo = ioAfter - ioBefore;
      emit('disk_bytes_written_per_value_day_20_feeds', {
        engine: +(engineIo / dayValues).toFixed(2),
        baseline_sqlite_per_minute_tx: +(sqlIo / dayValues).toFixed(2),
        engine_pages_per_feed_per_flush: +(engineIo / 4096 / (20 * 1440)).toFixed(3),
      });
    } finally {
      client.disconnect();
      redis.stop();
    }

    // ---- storage per value: .dat + rollups vs the SQLite table
    const feedDir = join(dir, 'feeds');
    const datBytes = statSync(join(feedDir, `${feed.id}.dat`)).size;
    const rollupBytes = readdirSync(feedDir)
      .filter((f) => f.startsWith(`${feed.id}.r`))
      .reduce((sum, f) => sum + statSync(join(feedDir, f)).size, 0);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const sqliteBytes = statSync(join(dir, 'baseline.db')).size;
    emit('storage_bytes_per_value', {
      engine: +((datBytes + rollupBytes) / YEAR_POINTS).toFixed(3),
      engine_rollup_overhead_pct: +((rollupBytes / datBytes) * 100).toFixed(2),
      baseline_sqlite: +(sqliteBytes / YEAR_POINTS).toFixed(2),
    });

    await benchFlushEventLoop(emit, quiet, () => new MemoryFeedRepo());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
