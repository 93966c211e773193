import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, writeFileSync, writeSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { querySeries, readWith } from '../../../src/timeseries/feed-queries.js';
import { packSamples } from '../../../src/timeseries/feed-store-messages.js';
import { ThreadFeedStore } from '../../../src/timeseries/feed-store.thread.js';
import { encodeMeta, encodeValues } from '../../../src/timeseries/phpfina-format.js';
import type { ReadQuery } from '../../../src/timeseries/read-query.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// The blocks and record pages the files' owner keeps across queries (read-cache.ts): answers
// byte for byte those of a reader without a cache, and nothing survives a rewrite of history.

const teardown = useTeardown();
const START_S = 1_790_035_200; // a UTC midnight
const DAYS = 12;
const CACHE_BYTES = 8 * 1024 * 1024;

function valuesFor(seed: number): number[] {
  return Array.from({ length: DAYS * 8640 }, (_, i) =>
    i % 5000 < 40 ? NaN : ((i * seed) % 9973) / 7 + (i % 8640) / 100,
  );
}

function writeFeed(files: FeedFiles, id: number, values: number[], startS = START_S): void {
  files.create(id, 10);
  files.write(
    id,
    values.map((value, i) => ({ tsS: startS + i * 10, value })),
    false,
  );
  files.persistRollups(id, true);
}

/** Averaged reads whose buckets end inside 600 s blocks (a read per edge without a cache). */
function queries(shiftS: number): ReadQuery[] {
  const base = { average: true, skipMissing: false, timeZone: 'Europe/London' };
  return [
    { ...base, startS: START_S + shiftS, endS: START_S + DAYS * 86_400 + shiftS, interval: 1310 },
    { ...base, startS: START_S + 3 * 86_400 + shiftS, endS: START_S + 5 * 86_400, interval: 73 },
    { ...base, startS: START_S + shiftS, endS: START_S + DAYS * 86_400, interval: 'daily' },
    { ...base, startS: START_S + 7 + shiftS, endS: START_S + 86_400, interval: 10, average: false },
  ];
}

/** One query's answer as the bytes the worker sends, and how many file reads it took. */
function answer(files: FeedFiles, id: number, q: ReadQuery): { bytes: Buffer; reads: number } {
  const reader = files.openReader(id);
  try {
    const packed = packSamples(querySeries(reader, [], q));
    return { bytes: Buffer.from(packed.buffer), reads: reader.reads };
  } finally {
    reader.close();
  }
}

function assertSameAnswers(cached: FeedFiles, plain: FeedFiles, id: number, label: string): void {
  for (const q of queries(0))
    assert.ok(
      answer(cached, id, q).bytes.equals(answer(plain, id, q).bytes),
      `${label}: ${JSON.stringify(q)}`,
    );
}

describe('read cache', () => {
  it('answers byte for byte as a reader without a cache, cold, warm and sliding, in few reads when warm', () => {
    const dir = makeTempDir(teardown);
    const cached = new FeedFiles(dir, undefined, { readCacheBytes: CACHE_BYTES });
    writeFeed(cached, 1, valuesFor(7));
    const plain = new FeedFiles(dir);
    const year = queries(0)[0]!;
    const cold = answer(cached, 1, year);
    const warm = answer(cached, 1, year);
    assert.ok(cold.reads > 100, `${cold.reads} reads cold`);
    assert.ok(warm.reads <= 4, `${warm.reads} reads warm (the partly valid rollup pages only)`);
    for (let shiftS = 0; shiftS <= 600; shiftS += 10)
      for (const q of queries(shiftS))
        assert.ok(answer(cached, 1, q).bytes.equals(answer(plain, 1, q).bytes), JSON.stringify(q));
    assert.ok(cached.readCache!.bytes > 0 && cached.readCache!.bytes <= CACHE_BYTES);
  });

  // Each way history is rewritten; the answer must change (so a stale cache would be caught) and
  // equal a fresh reader's.
  const rewrites: { path: string; rewrite: (files: FeedFiles) => void }[] = [
    {
      path: 'an overwrite of old slots (late readings)',
      rewrite: (files) =>
        files.write(
          1,
          Array.from({ length: 30 }, (_, i) => ({
            tsS: START_S + 86_400 + 1300 * 10 + i * 6000,
            value: 9e3,
          })),
          false,
        ),
    },
    { path: 'trim (retention)', rewrite: (files) => files.trim(1, START_S + 2 * 86_400 + 1234) },
    {
      path: 'clear, then new data',
      rewrite: (files) => {
        files.clear(1);
        files.write(1, [{ tsS: START_S + 5 * 86_400, value: 5 }], false);
      },
    },
    {
      path: 'import over the feed',
      rewrite: (files) => {
        const source = join(files.dir, 'source.dat');
        writeFileSync(source, encodeValues(valuesFor(11)));
        files.importData(1, { intervalS: 10, startTimeS: START_S }, source, DAYS * 8640);
      },
    },
    {
      path: 'repair finishing an interrupted trim',
      rewrite: (files) => {
        const { dat, meta } = files.paths(1);
        files.persistRollups(1, true);
        writeFileSync(`${dat}.trim`, encodeValues(valuesFor(7).slice(8640)));
        writeFileSync(`${meta}.tmp`, encodeMeta({ intervalS: 10, startTimeS: START_S + 86_400 }));
        renameSync(`${dat}.trim`, dat); // the crash came before the meta's rename
        files.repair(1);
      },
    },
    {
      path: 'rebuilt rollups after the .dat was mended in place',
      rewrite: (files) => {
        const fd = openSync(files.paths(1).dat, 'r+');
        try {
          writeSync(fd, encodeValues(new Array<number>(20_000).fill(4e3)), 0, 80_000, 4 * 30_000);
        } finally {
          closeSync(fd);
        }
        files.rebuildRollups(1);
      },
    },
    {
      path: 'delete, then a new feed with the same id',
      rewrite: (files) => {
        files.delete(1);
        writeFeed(files, 1, valuesFor(13), START_S + 600);
      },
    },
  ];
  for (const { path, rewrite } of rewrites) {
    it(`forgets what it kept on ${path}`, () => {
      const dir = makeTempDir(teardown);
      const cached = new FeedFiles(dir, undefined, { readCacheBytes: CACHE_BYTES });
      writeFeed(cached, 1, valuesFor(7));
      const before = queries(0).map((q) => answer(cached, 1, q).bytes);
      assert.ok(cached.readCache!.bytes > 0, 'the reads were kept');
      rewrite(cached);
      const after = queries(0).map((q) => answer(cached, 1, q).bytes);
      assert.ok(
        after.some((bytes, i) => !bytes.equals(before[i]!)),
        'the rewrite changed what a read answers',
      );
      assertSameAnswers(cached, new FeedFiles(dir), 1, path);
    });
  }

  it('the worker forgets its kept blocks when a flush rewrites old slots', async () => {
    const dir = makeTempDir(teardown);
    writeFeed(new FeedFiles(dir), 1, valuesFor(7));
    const store = new ThreadFeedStore(dir, undefined, CACHE_BYTES);
    teardown.add(() => store.stop());
    await store.start();
    const q = queries(0)[0]!;
    const before = await store.query(1, [], q);
    assert.deepEqual(await store.query(1, [], q), before, 'a warm read answers as the cold one');
    const lateS = START_S + 1310 * 266 + 10; // in the block of a bucket edge, read before
    await store.writePoints(1, [{ tsS: lateS, value: 1e6, join: false }]);
    const after = await store.query(1, [], q);
    const bucket = after.findIndex(([t], i) => t <= lateS && lateS < (after[i + 1]?.[0] ?? Infinity));
    assert.notDeepEqual(after[bucket], before[bucket], 'the late reading is in its bucket');
    const plain = new FeedFiles(dir);
    assert.deepEqual(
      after,
      readWith(plain, 1, (r) => querySeries(r, [], q)),
    );
  });
});
