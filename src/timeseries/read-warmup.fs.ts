import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeedFiles } from './feed-files.fs.js';
import { querySeries, readWith } from './feed-queries.js';
import type { FileWriter } from './feed-io.fs.js';

/** Scratch files need no durability: the warm-up must not wait on a slow disk's fsync. */
const noSync: FileWriter = {
  write: (fd, bytes, offset, length, position) => writeSync(fd, bytes, offset, length, position),
  datasync: () => undefined,
  fsync: () => undefined,
};

const WARM_START_S = 1_700_006_400; // a day boundary, so every rollup level has whole buckets
const WARM_DAYS = 3;
const WARM_RUNS = 30;

/**
 * Runs the read path (rollup decomposition, block reads, overlay) over a scratch feed until V8
 * has optimised it, so the first reads a person makes are not the slow ones (cold JIT took a
 * year read from ~4 ms to ~30 ms on the dev machine). Takes ~100 ms, once, on the worker.
 */
export function warmReadPath(): void {
  const dir = mkdtempSync(join(tmpdir(), 'hub-feed-warmup-'));
  try {
    // With a cache, as the worker reads: its runs, 10 s apart, take the warm path too.
    const files = new FeedFiles(dir, noSync, { readCacheBytes: 1024 * 1024 });
    files.create(1, 10);
    const points = Array.from({ length: WARM_DAYS * 8640 }, (_, i) => ({
      tsS: WARM_START_S + i * 10 + (i > 9000 ? 600 : 0), // a gap: missing values
      value: (i % 977) / 3,
    }));
    files.write(1, points, false);
    files.persistRollups(1, true);
    const buffered = [{ tsS: WARM_START_S + WARM_DAYS * 86_400, value: 1, join: false }];
    for (let run = 0; run < WARM_RUNS; run++) {
      for (const [interval, average, days] of [
        [3942, true, WARM_DAYS],
        [600, true, WARM_DAYS],
        [10, false, 1],
      ] as const) {
        const startS = WARM_START_S + run * 10;
        const endS = startS + days * 86_400;
        const query = { startS, endS, interval, average, skipMissing: false, timeZone: 'UTC' };
        readWith(files, 1, (r) => querySeries(r, run % 2 ? buffered : [], query));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
