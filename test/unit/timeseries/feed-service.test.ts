import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { silentLog } from '../../../src/shared/logger.js';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { FeedService, type BufferChoice } from '../../../src/timeseries/feed-service.js';
import { LocalFeedStore } from '../../../src/timeseries/feed-store.local.js';
import { FlushRunner } from '../../../src/timeseries/flush-runner.js';
import { MemoryWriteBuffer } from '../../../src/timeseries/memory-buffer.js';
import type { FeedChanges, FeedRecord, FeedRepo, NewFeed } from '../../../src/timeseries/ports.js';
import type { ReadQuery, Sample } from '../../../src/timeseries/read-query.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// FeedService and the flusher on in-memory ports (feed rows, the write-behind buffer), the feed
// files in a temp dir and the manual clock. Redis, HTTP and the worker thread are the integration
// tests' business (test/integration/timeseries/feed-service.test.ts, test/contract/).

/** Feed rows as SqliteFeedRepo keeps them: the next free id unless one is given. */
class MemoryFeedRepo implements FeedRepo {
  private readonly rows = new Map<number, FeedRecord>();

  insert(feed: NewFeed, id?: number): FeedRecord {
    const record = { ...feed, id: id ?? Math.max(0, ...this.rows.keys()) + 1 };
    this.rows.set(record.id, record);
    return { ...record };
  }
  get(id: number): FeedRecord | undefined {
    const row = this.rows.get(id);
    return row && { ...row };
  }
  list(): FeedRecord[] {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }
  update(id: number, changes: FeedChanges): void {
    const row = this.rows.get(id);
    if (row) this.rows.set(id, { ...row, ...changes });
  }
  delete(id: number): void {
    this.rows.delete(id);
  }
}

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const clock = new ManualClock(NOW_S * 1000);
let feeds: FeedService;
let flusher: FlushRunner;
let buffer: MemoryWriteBuffer;
let feedsDir: string;

function newFeed(name: string, intervalS = 10): number {
  const feed = feeds.create({ ownerId: 1, name, intervalS });
  assert.equal(feeds.exists(feed.id), true);
  return feed.id;
}

const post = (id: number, points: [number, number][], join = false) =>
  feeds.post(
    id,
    points.map(([tsS, value]) => ({ tsS, value })),
    join,
  );
/** GET /api/v1/feeds/:id/data's query: start, end, interval, average. */
const data = (
  id: number,
  startS: number,
  endS: number,
  interval: number,
  average = false,
): Promise<Sample[]> =>
  feeds.read(id, { startS, endS, interval, average, skipMissing: false } satisfies Omit<
    ReadQuery,
    'timeZone'
  >);
const datSize = (id: number) => statSync(join(feedsDir, `${id}.dat`)).size;

describe('feeds through the write-behind buffer (service logic)', () => {
  before(async () => {
    feedsDir = join(makeTempDir(teardown), 'feeds');
    const repo = new MemoryFeedRepo();
    const store = new LocalFeedStore(new FeedFiles(feedsDir));
    buffer = new MemoryWriteBuffer(100_000);
    const buffers: BufferChoice = { current: () => buffer, all: () => [buffer], fallback: buffer };
    feeds = new FeedService(repo, store, buffers, clock, { maxFutureS: 86_400, timeZone: 'UTC' });
    flusher = new FlushRunner(
      repo,
      store,
      buffers,
      clock,
      { flushIntervalS: 10 },
      silentLog,
      () => ({ ...feeds.counters }),
      feeds.backlog,
    );
    await flusher.start();
    teardown.add(() => flusher.stop());
  });

  it('reads a value the moment it is accepted, and writes the files only at flush', async () => {
    const id = newFeed('house power');
    const t = NOW_S - (NOW_S % 10) - 100;
    const expected = [
      [t, 230.5],
      [t + 10, 231],
      [t + 20, null],
      [t + 30, 232],
    ];
    assert.equal(
      await post(id, [
        [t, 230.5],
        [t + 10, 231],
        [t + 30, 232],
      ]),
      3,
    );
    assert.equal(datSize(id), 0, 'nothing on disk before the flush');
    assert.deepEqual(await data(id, t, t + 30, 10), expected);
    await flusher.flush();
    assert.equal(datSize(id), 16, 'one write of four slots (the gap padded with NaN)');
    assert.equal(await buffer.length(id), 0, 'the buffer is empty after the flush');
    assert.deepEqual(await data(id, t, t + 30, 10), expected);
  });

  it("counts a point older than the feed's start, dropped at flush as PHPFina does", async () => {
    const id = newFeed('late point');
    const t = NOW_S - (NOW_S % 10) - 100;
    await post(id, [[t, 1]]);
    await flusher.flush();
    const before = flusher.counters.pointsDroppedAsOld;
    assert.equal(await post(id, [[t - 50, 9]]), 1);
    await flusher.flush();
    assert.equal(flusher.counters.pointsDroppedAsOld, before + 1);
    // what /readyz shows under feed-flusher
    assert.equal(flusher.status().detail?.pointsDroppedAsOld, before + 1);
  });

  it('overwrites a past slot through the buffer, later arrival winning', async () => {
    const id = newFeed('overwrite');
    const t = NOW_S - (NOW_S % 10) - 100;
    await post(id, [
      [t, 1],
      [t + 10, 2],
      [t + 20, 3],
    ]);
    await flusher.flush();
    await post(id, [[t + 10, 20]]);
    await post(id, [[t + 10, 21]]);
    assert.deepEqual(await data(id, t, t + 20, 10), [
      [t, 1],
      [t + 10, 21],
      [t + 20, 3],
    ]);
    assert.deepEqual(await data(id, t, t + 20, 30, true), [[t, (1 + 21 + 3) / 3]]);
    await flusher.flush();
    assert.deepEqual(await data(id, t, t + 20, 10), [
      [t, 1],
      [t + 10, 21],
      [t + 20, 3],
    ]);
  });

  it('within one flush window the later arrival wins a slot, even stamped earlier in it', async () => {
    const id = newFeed('arrival order');
    const t = NOW_S - (NOW_S % 10) - 100;
    await post(id, [
      [t, 1],
      [t + 17, 7],
    ]);
    await post(id, [[t + 11, 6]]); // same 10 s slot as t + 17, earlier stamp, later arrival
    const expected = [
      [t, 1],
      [t + 10, 6],
    ];
    assert.deepEqual(await data(id, t, t + 10, 10), expected, 'buffered');
    await flusher.flush();
    assert.deepEqual(await data(id, t, t + 10, 10), expected, 'flushed');
    await post(id, [[t + 19, 8]]);
    await post(id, [[t + 10, 9]]); // and the same across a flush
    await flusher.flush();
    assert.deepEqual(await data(id, t + 10, t + 15, 10), [[t + 10, 9]]);
  });

  it("answers nulls, not an error, for reads starting before the feed's first slot", async () => {
    const id = newFeed('young feed');
    const t0 = NOW_S - (NOW_S % 10) - 3000; // mid-day: the day's rollup bucket starts before it
    const values = Array.from({ length: 100 }, (_, i) => 200 + i);
    await post(
      id,
      values.map((v, i) => [t0 + i * 10, v]),
    );
    await flusher.flush();
    await feeds.rebuildRollups(id);
    const startS = t0 - 20_003; // not on a 600 s block edge
    const endS = t0 + 45;
    const expected: [number, number | null][] = [];
    for (let t = startS; t <= endS; t += 10)
      expected.push([t, t < t0 ? null : values[Math.floor((t - t0) / 10)]!]);
    assert.deepEqual(await data(id, startS, endS, 10), expected);
    const averaged = await data(id, startS, endS, 600, true);
    const bucketsS = Array.from(
      { length: Math.floor((endS - startS) / 600) + 1 },
      (_, i) => startS + i * 600,
    );
    assert.deepEqual(
      averaged.map(([t]) => t),
      bucketsS,
      'averaged buckets from the start asked for',
    );
    assert.deepEqual(
      averaged.slice(0, -1).map(([, v]) => v),
      bucketsS.slice(0, -1).map(() => null),
      'null for each bucket before the first slot',
    );
    assert.equal(typeof averaged.at(-1)?.[1], 'number', 'the bucket holding the first slot has its average');
  });

  const badBatches: { name: string; points: { tsS: number; value: number }[]; message: RegExp }[] = [
    {
      name: 'an infinite value',
      points: [
        { tsS: NOW_S, value: 1 },
        { tsS: NOW_S, value: Infinity },
      ],
      message: /point 1: value must be finite/,
    },
    {
      name: 'a point two days ahead',
      points: [
        { tsS: NOW_S, value: 1 },
        { tsS: NOW_S + 2 * 86_400, value: 1 },
      ],
      message: /point 1: time \d+ is too far in the future; nothing was stored/,
    },
    {
      name: 'a time that is not a number',
      points: [{ tsS: NaN, value: 1 }],
      message: /time must be unix seconds/,
    },
  ];
  for (const bad of badBatches) {
    it(`refuses a batch with ${bad.name}, storing nothing of it and counting it refused`, async () => {
      const id = newFeed(`bad ${bad.name}`);
      const refusedBefore = feeds.counters.refused;
      await assert.rejects(feeds.post(id, bad.points), {
        status: 400,
        code: 'invalid_point',
        message: bad.message,
      });
      assert.equal(feeds.counters.refused, refusedBefore + bad.points.length);
      assert.equal(await feeds.lastValue(id), null);
      assert.equal(await buffer.length(id), 0);
    });
  }

  it('refuses unknown feeds and intervals emoncms does not offer', async () => {
    await assert.rejects(post(999, [[NOW_S, 1]]), { status: 404, code: 'feed_not_found' });
    assert.throws(() => feeds.create({ ownerId: 1, name: 'odd', intervalS: 7 }), { status: 400 });
    assert.throws(
      () => feeds.create({ ownerId: 1, name: 'odd', intervalS: 7 }),
      /interval must be one of 1, 5, 10/,
    );
  });
});
