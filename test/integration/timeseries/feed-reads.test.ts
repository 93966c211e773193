import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { canStartFailureHeal } from '../../../src/shared/start-failure.js';
import { querySeries } from '../../../src/timeseries/feed-queries.js';
import { ThreadFeedStore } from '../../../src/timeseries/feed-store.thread.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// How reads reach the files (ADR 007): few system calls per query, and a worker that is up and
// warm before hubd counts it ready.

const teardown = useTeardown();
const DAY_START_S = 1_790_035_200; // a UTC midnight

describe('feed reads', () => {
  it('reads a full-resolution day in a few growing reads, not one per 600 s block', () => {
    const files = new FeedFiles(makeTempDir(teardown));
    files.create(1, 10);
    const values = Array.from({ length: 2 * 8640 }, (_, i) => (i % 977) / 4);
    files.write(
      1,
      values.map((value, i) => ({ tsS: DAY_START_S + i * 10, value })),
      false,
    );
    files.persistRollups(1, true);

    const reader = files.openReader(1);
    const day = querySeries(reader, [], {
      startS: DAY_START_S + 86_400,
      endS: DAY_START_S + 86_400 + 86_390,
      interval: 10,
      average: false,
      skipMissing: false,
      timeZone: 'UTC',
    });
    reader.close();
    assert.deepEqual(
      day,
      values.slice(8640).map((v, i) => [DAY_START_S + 86_400 + i * 10, v]),
    );
    // 144 blocks of 60 values: read ahead 1, 2, 4, 8, 16, 32, 64, 17 blocks.
    assert.ok(reader.reads <= 8, `${reader.reads} reads of the .dat for one day`);
  });

  it('start() waits for the worker and fails, with the reason in status, when it cannot load', async () => {
    const dir = makeTempDir(teardown);
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, "throw new Error('the feed files cannot be opened');\n");
    const store = new ThreadFeedStore(join(dir, 'feeds'), pathToFileURL(broken));
    teardown.add(() => store.stop());
    await assert.rejects(store.start(), /the feed files cannot be opened/);
    const failure = await store.start().catch((err: unknown) => err);
    assert.equal(canStartFailureHeal(failure), true, 'the hub retries a worker that could not load');
    const status = store.status();
    assert.equal(status.state, 'down');
    assert.match(String(status.detail?.lastError), /the feed files cannot be opened/);
  });

  it('start() resolves with the worker taking reads', async () => {
    const dir = makeTempDir(teardown);
    const store = new ThreadFeedStore(join(dir, 'feeds'));
    teardown.add(() => store.stop());
    await store.start();
    assert.equal(store.status().state, 'ready');
    store.create(1, 10);
    await store.writePoints(1, [{ tsS: DAY_START_S, value: 5, join: false }]);
    assert.deepEqual(await store.lastValue(1, []), { tsS: DAY_START_S, value: 5 });
  });
});
