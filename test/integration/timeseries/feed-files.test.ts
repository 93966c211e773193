import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { encodeMeta, encodeValues } from '../../../src/timeseries/phpfina-format.js';
import { readSeries, type SeriesView } from '../../../src/timeseries/read-query.js';
import { sumValues } from '../../../src/timeseries/rollup-format.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

/** A deterministic pseudo-random sequence, so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('feed files', () => {
  it('writes exactly the bytes emoncms writes', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(1, 10);
    files.write(
      1,
      [
        { tsS: 1_700_000_003, value: 1 },
        { tsS: 1_700_000_030, value: 4 },
      ],
      false,
    );
    const meta = readFileSync(join(files.dir, '1.meta')).toString('hex');
    const dat = readFileSync(join(files.dir, '1.dat')).toString('hex');
    assert.equal(meta, '00000000' + '00000000' + '0a000000' + '00f15365');
    assert.equal(dat, '0000803f' + '0000c07f' + '0000c07f' + '00008040');
  });

  it('reads files that emoncms wrote, byte for byte', () => {
    const dir = makeTempDir(teardown);
    // An emoncms feed: interval 60, start 1604637780, values 230.1, NaN, -1.25
    writeFileSync(join(dir, '7.meta'), Buffer.from('00000000000000003c000000' + '54d4a45f', 'hex'));
    writeFileSync(join(dir, '7.dat'), Buffer.from('9a196643' + '0000c07f' + '0000a0bf', 'hex'));
    const files = new FeedFiles(dir);
    assert.deepEqual(files.read(7), { intervalS: 60, startTimeS: 1604637780, npoints: 3 });
    const values = [...files.values(7, 0, 3)];
    assert.equal(values[0], Math.fround(230.1));
    assert.ok(Number.isNaN(values[1]));
    assert.equal(values[2], -1.25);
  });

  it('repairs a .dat cut short in the middle of a value', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(2, 10);
    files.write(
      2,
      [
        { tsS: 1000, value: 1 },
        { tsS: 1010, value: 2 },
      ],
      false,
    );
    appendFileSync(join(files.dir, '2.dat'), Buffer.from([0x00, 0x00]));
    assert.deepEqual(files.repair(2), { id: 2, truncatedBytes: 2 });
    assert.equal(statSync(join(files.dir, '2.dat')).size, 8);
    assert.deepEqual(files.repair(2), { id: 2, truncatedBytes: 0 });
  });

  it('clears a feed back to empty', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(3, 10);
    files.write(3, [{ tsS: 1000, value: 1 }], false);
    files.clear(3);
    assert.deepEqual(files.read(3), { intervalS: 10, startTimeS: 0, npoints: 0 });
  });
});

describe('rollups', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`averaged reads from rollups equal full-resolution averages (random data with gaps, seed ${seed})`, () => {
      const rnd = random(seed);
      const files = new FeedFiles(makeTempDir(teardown));
      files.create(1, 10);
      const startS = 1_700_000_000 + Math.floor(rnd() * 86_400) * 10;
      const points: { tsS: number; value: number }[] = [];
      let t = startS;
      const slots = 20_000 + Math.floor(rnd() * 40_000);
      for (let i = 0; i < slots; i++) {
        if (rnd() < 0.002) t += Math.floor(rnd() * 4000) * 10; // a gap of up to 11 h
        if (rnd() < 0.05)
          points.push({ tsS: t, value: NaN }); // a missing reading
        else points.push({ tsS: t, value: Math.round((rnd() * 6000 - 500) * 10) / 10 });
        t += 10;
      }
      files.write(1, points, false);
      files.persistRollups(1);
      // a few later overwrites into rolled-up buckets must be reflected
      const overwrite = points.filter((_, i) => i % 997 === 0).map((p) => ({ tsS: p.tsS, value: 1234.5 }));
      files.write(1, overwrite, false);

      const reader = files.openReader(1);
      teardown.add(() => reader.close());
      const feed = reader.feed;
      const all = files.values(1, 0, feed.npoints);
      const firstSlot = feed.startTimeS / 10;
      const exact: SeriesView = {
        intervalS: 10,
        startSlot: firstSlot,
        endSlot: firstSlot + feed.npoints,
        sum: (a, b) => sumValues(all, a - firstSlot, b - firstSlot),
        valueAt: (s) => all[s - firstSlot] ?? NaN,
      };
      const rolled: SeriesView = { ...exact, sum: (a, b) => reader.sum(a, b) };
      const endS = feed.startTimeS + feed.npoints * 10;
      for (let q = 0; q < 20; q++) {
        const a = feed.startTimeS - 3600 + Math.floor(rnd() * (endS - feed.startTimeS));
        const b = a + 600 + Math.floor(rnd() * (endS - a));
        const interval = [600, 3600, 3610, 86_400, Math.max(10, Math.round((b - a) / 800))][q % 5]!;
        const query = { startS: a, endS: b, interval, average: true, skipMissing: false, timeZone: 'UTC' };
        const want = readSeries(exact, query);
        const got = readSeries(rolled, query);
        assert.equal(got.length, want.length);
        for (let i = 0; i < want.length; i++) {
          const [tw, vw] = want[i]!;
          const [tg, vg] = got[i]!;
          assert.equal(tg, tw);
          if (vw === null || vg === null) assert.equal(vg, vw, `bucket ${tw}`);
          else assert.equal(Math.fround(vg), Math.fround(vw), `bucket ${tw}: ${vg} vs ${vw}`);
        }
      }
      // the rollups did the work: whole-day buckets came from records, not raw slots
      assert.ok((files.rollupHeaderOf(1, 86_400)?.validEndSlot ?? 0) > 0);
    });
  }
});

describe('retention and export', () => {
  it('reads the trimmed period from rollups, equal to the average before the trim', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(1, 10);
    const startS = 1_700_006_400; // a whole day on the grid
    const points = Array.from({ length: 3 * 8640 }, (_, i) => ({
      tsS: startS + i * 10,
      value: (i % 1000) / 7,
    }));
    files.write(1, points, false);
    const dailyBefore = dailyAverages(files);
    files.trim(1, startS + 2 * 86_400 + 5);
    const after = files.read(1);
    assert.equal(after.startTimeS, startS + 2 * 86_400 + 10, 'moved up to the grid');
    assert.equal(after.npoints, 8640 - 1);
    assert.deepEqual(
      dailyAverages(files).map(([t, v]) => [t, v === null ? null : Math.fround(v)]),
      dailyBefore.map(([t, v]) => [t, v === null ? null : Math.fround(v)]),
    );

    function dailyAverages(f: FeedFiles) {
      const reader = f.openReader(1);
      try {
        const firstSlot = reader.feed.startTimeS / 10;
        const view: SeriesView = {
          intervalS: 10,
          startSlot: reader.historyStartSlot,
          endSlot: firstSlot + reader.feed.npoints,
          sum: (a, b) => reader.sum(a, b),
          valueAt: (s) => reader.raw(s, s + 1)[0] ?? NaN,
        };
        return readSeries(view, {
          startS,
          endS: startS + 2 * 86_400,
          interval: 86_400,
          average: true,
          skipMissing: false,
          timeZone: 'UTC',
        });
      } finally {
        reader.close();
      }
    }
  });

  it('finishes a trim interrupted after the .dat was replaced, and undoes one interrupted before', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(1, 10);
    files.write(
      1,
      [
        { tsS: 1000, value: 1 },
        { tsS: 1010, value: 2 },
        { tsS: 1020, value: 3 },
      ],
      false,
    );
    // interrupted before anything was replaced: a half-written .dat.trim is thrown away
    writeFileSync(join(files.dir, '1.dat.trim'), Buffer.from([1, 2, 3]));
    files.repair(1);
    assert.deepEqual(files.read(1), { intervalS: 10, startTimeS: 1000, npoints: 3 });
    // interrupted after the .dat rename: the trimmed .dat is in place, its meta still in .meta.tmp
    writeFileSync(join(files.dir, '1.dat'), encodeValues([2, 3]));
    writeFileSync(join(files.dir, '1.meta.tmp'), encodeMeta({ intervalS: 10, startTimeS: 1010 }));
    files.repair(1);
    assert.deepEqual(files.read(1), { intervalS: 10, startTimeS: 1010, npoints: 2 });
    assert.deepEqual([...files.values(1, 0, 2)], [2, 3]);
  });

  it('exports raw bytes from an offset, re-sending the last whole value before it', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(1, 10);
    files.write(
      1,
      [1, 2, 3, 4].map((v, i) => ({ tsS: 1000 + i * 10, value: v })),
      false,
    );
    assert.equal(
      Buffer.from(files.exportBytes(1, 0)).toString('hex'),
      '0000803f' + '00000040' + '00004040' + '00008040',
    );
    assert.equal(Buffer.from(files.exportBytes(1, 8)).toString('hex'), '00000040' + '00004040' + '00008040');
    assert.equal(files.exportBytes(1, 100).length, 0);
  });
});

describe('file modes', () => {
  it('creates feed files 0600 and the feeds directory 0700, whatever the umask (the hub CLI sets none)', () => {
    const old = process.umask(0);
    try {
      const dir = join(makeTempDir(teardown), 'feeds');
      const files = new FeedFiles(dir);
      files.create(1, 10);
      files.write(
        1,
        Array.from({ length: 400 }, (_, i) => ({ tsS: 600 * 1000 + i * 10, value: i })),
        false,
      );
      files.persistRollups(1, true);
      files.trim(1, 600 * 1000 + 100);
      const source = join(makeTempDir(teardown), '2.dat');
      writeFileSync(source, encodeValues([1, 2]));
      chmodSync(source, 0o644); // as emoncms leaves its files
      files.create(2, 10);
      files.importData(2, { intervalS: 10, startTimeS: 1000 }, source, 2);
      const modes = readdirSync(dir)
        .sort()
        .map((f) => [f, (statSync(join(dir, f)).mode & 0o777).toString(8)]);
      const files2 = (id: number) => ['dat', 'meta', 'r3600', 'r600', 'r86400'].map((ext) => `${id}.${ext}`);
      assert.deepEqual(
        modes,
        [...files2(1), ...files2(2)].map((f) => [f, '600']),
      );
      assert.equal((statSync(dir).mode & 0o777).toString(8), '700');
    } finally {
      process.umask(old);
    }
  });
});
