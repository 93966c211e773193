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
import type { Sample } from '../../../src/timeseries/read-query.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// Property: the real read path (FeedReader's cached blocks and rollups on real files, with the
// write-behind buffer laid over them) answers every query exactly as a plain reference reader
// over a map of slot values does; before and after the buffer is flushed.

const teardown = useTeardown();
const NOW_S = 1_800_000_000;
const INTERVALS_S = [1, 5, 10, 30, 60, 600, 3600];

/** A deterministic pseudo-random sequence, so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Query {
  startS: number;
  endS: number;
  interval: number;
  average: boolean;
  skipMissing: boolean;
  limitInterval: boolean;
}

/** emoncms get_data_combined over slot → value (reference/emoncms.md §1.2), written naively. */
function referenceRead(slots: Map<number, number>, iv: number, q: Query): Sample[] {
  let interval = Math.max(1, Math.trunc(q.interval));
  if (q.limitInterval) interval = Math.max(iv, Math.round(interval / iv) * iv);
  const average = q.average && interval > iv;
  const out: Sample[] = [];
  for (let t = q.startS; t <= q.endS; t += interval) {
    let value: number | null;
    if (!average) {
      const v = slots.get(Math.floor(t / iv));
      value = v === undefined || Number.isNaN(v) ? null : v;
    } else {
      let sum = 0;
      let count = 0;
      for (let s = Math.floor(t / iv); s < Math.floor((t + interval) / iv); s++) {
        const v = slots.get(s);
        if (v !== undefined && !Number.isNaN(v)) {
          sum += v;
          count++;
        }
      }
      value = count ? sum / count : null;
    }
    if (value !== null || !q.skipMissing) out.push([t, value]);
  }
  return out;
}

/** Random readings from `fromS`: unaligned times, a few per slot, gaps, missing values. */
function readings(rnd: () => number, fromS: number, iv: number, count: number) {
  const points: { tsS: number; value: number }[] = [];
  let t = fromS;
  for (let i = 0; i < count; i++) {
    if (rnd() < 0.03) t += Math.floor(rnd() * 300) * iv; // a gap
    const value = rnd() < 0.05 ? NaN : Math.round((rnd() * 6000 - 500) * 10) / 10;
    points.push({ tsS: t, value });
    t += Math.max(1, Math.floor(rnd() * 1.6 * iv)); // sometimes two readings in one slot
  }
  return points;
}

function randomQuery(rnd: () => number, iv: number, firstS: number, lastS: number): Query {
  const spanS = Math.max(iv, lastS - firstS);
  // Starts anywhere from well before the first slot (not on any block or bucket edge) to past the end.
  const startS = firstS - Math.floor(rnd() * 3 * spanS) + Math.floor(rnd() * 1.5 * spanS);
  const interval = [1, iv, 2 * iv, 7 * iv + 3, 600, 3600, 86_400, 13][Math.floor(rnd() * 8)]!;
  const endS = startS + 1 + Math.floor(rnd() * Math.min(spanS * 2, interval * 3000));
  return {
    startS,
    endS,
    interval,
    average: rnd() < 0.6,
    skipMissing: rnd() < 0.2,
    limitInterval: rnd() < 0.8,
  };
}

describe('reads match a reference reader (property, seeded)', () => {
  it('400 random feeds, starts, ranges and intervals, with and without buffered points', async () => {
    await checkSeeds(0);
  });

  it('the same with the blocks kept across queries (read-cache.ts), as the worker of hubd keeps them', async () => {
    await checkSeeds(8 * 1024 * 1024);
  });
});

async function checkSeeds(readCacheBytes: number): Promise<void> {
  const dir = makeTempDir(teardown);
  const db = openDatabase(join(dir, 'hub.db'));
  teardown.add(() => db.close());
  migrate(db, timeseriesMigrations);
  const repo = new SqliteFeedRepo(db);
  const files = new FeedFiles(join(dir, 'feeds'), undefined, { readCacheBytes });
  const buffer = new MemoryWriteBuffer(1_000_000);
  const buffers = { current: () => buffer, all: () => [buffer], fallback: buffer };
  const clock = new ManualClock(NOW_S * 1000);
  const service = new FeedService(repo, new LocalFeedStore(files), buffers, clock, {
    maxFutureS: 86_400,
    timeZone: 'UTC',
  });
  const flusher = new FlushRunner(
    repo,
    new LocalFeedStore(files),
    buffers,
    clock,
    { flushIntervalS: 60 },
    createPinoLogger('silent'),
  );

  let queries = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const rnd = random(seed);
    const iv = INTERVALS_S[Math.floor(rnd() * INTERVALS_S.length)]!;
    const feed = service.create({ ownerId: 1, name: `feed ${seed}`, intervalS: iv });
    const reference = new Map<number, number>();
    const baseS = NOW_S - 40_000 * iv - Math.floor(rnd() * 1_000_000);

    // Data already on disk: one or two increasing batches (the second may overwrite the past).
    const onDisk = rnd() < 0.8 ? readings(rnd, baseS, iv, Math.floor(rnd() * 2_500)) : [];
    if (onDisk.length) {
      files.write(feed.id, onDisk, false);
      for (const p of onDisk) reference.set(Math.floor(p.tsS / iv), Math.fround(p.value));
      if (rnd() < 0.5) files.persistRollups(feed.id, true);
      if (rnd() < 0.5) {
        const from = onDisk[Math.floor(rnd() * onDisk.length)]!.tsS;
        const more = readings(rnd, from, iv, Math.floor(rnd() * 300));
        files.write(feed.id, more, false);
        for (const p of more) reference.set(Math.floor(p.tsS / iv), Math.fround(p.value));
      }
    }

    // Points still in the buffer, in several posts, in any order, some before the feed's start.
    const posted: { tsS: number; value: number }[] = [];
    if (rnd() < 0.7) {
      const lastS = onDisk.length ? onDisk[onDisk.length - 1]!.tsS : baseS;
      const fresh = readings(rnd, lastS - Math.floor(rnd() * 200) * iv, iv, Math.floor(rnd() * 400));
      while (fresh.length) {
        const batch = fresh.splice(0, 1 + Math.floor(rnd() * 50));
        if (rnd() < 0.3) batch.reverse();
        posted.push(...batch);
        await service.post(feed.id, batch);
      }
    }
    const firstSlot = onDisk.length
      ? Math.floor(onDisk[0]!.tsS / iv)
      : Math.min(...posted.map((p) => Math.floor(p.tsS / iv)));
    // The later arrival wins a slot; points before the feed's first slot are dropped (PHPFina).
    for (const p of posted) {
      const slot = Math.floor(p.tsS / iv);
      if (slot >= firstSlot) reference.set(slot, Math.fround(p.value));
    }

    const slotsHeld = [...reference.keys()];
    const firstS = slotsHeld.length ? Math.min(...slotsHeld) * iv : baseS;
    const lastS = slotsHeld.length ? Math.max(...slotsHeld) * iv : baseS + iv;
    const cases = Array.from({ length: 6 }, () => randomQuery(rnd, iv, firstS, lastS));
    for (const phase of ['buffered', 'flushed']) {
      if (phase === 'flushed') await flusher.flush();
      for (const q of cases) {
        const label = `seed ${seed} (${phase}, interval ${iv} s): ${JSON.stringify(q)}`;
        const got = await service.read(feed.id, q);
        assert.deepEqual(got, referenceRead(reference, iv, q), label);
        queries++;
      }
    }
  }
  assert.ok(queries >= 4_000);
}
