import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import { FeedFiles } from '../../../src/timeseries/feed-files.fs.js';
import { LocalFeedStore } from '../../../src/timeseries/feed-store.local.js';
import { ThreadFeedStore } from '../../../src/timeseries/feed-store.thread.js';
import type { FeedStore } from '../../../src/timeseries/ports.js';
import { ReadError } from '../../../src/timeseries/read-query.js';
import { startTestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const T0 = 1_789_990_000;

async function threadStore(dir: string): Promise<ThreadFeedStore> {
  const store = new ThreadFeedStore(dir);
  await store.start();
  teardown.add(() => store.stop());
  return store;
}

/** The same history on any adapter: writes in three flushes, a rewrite, rollups, a trim. */
async function history(store: FeedStore): Promise<unknown[]> {
  store.create(1, 10);
  const day = Array.from({ length: 8640 }, (_, i) => ({
    tsS: T0 + i * 10,
    value: (i % 977) / 3,
    join: false,
  }));
  const answers: unknown[] = [];
  answers.push(await store.writePoints(1, day.slice(0, 5000)));
  answers.push(await store.writePoints(1, day.slice(5000)));
  answers.push(await store.writePoints(1, [{ tsS: T0 + 20, value: -1, join: false }])); // a rewrite
  answers.push(await store.writePoints(1, [{ tsS: T0 + 86_400 + 3600, value: 7, join: true }])); // padded
  await store.persistRollups(1, true);
  const buffered = [{ tsS: T0 + 86_400 + 3610, value: 9, join: false }];
  const q = {
    startS: T0,
    endS: T0 + 90_000,
    interval: 900,
    average: true,
    skipMissing: false,
    timeZone: 'UTC',
  };
  answers.push(await store.query(1, buffered, q));
  answers.push(await store.query(1, [], { ...q, interval: 10, average: false, endS: T0 + 600 }));
  answers.push(await store.lastValue(1, buffered), await store.valueAt(1, buffered, T0 + 21));
  answers.push([...(await store.exportBytes(1, 4000))]);
  await store.trim(1, T0 + 3600);
  answers.push(store.read(1), await store.repair(1));
  return answers;
}

const bytesOf = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f)).toString('hex')]),
  );

describe('the feed files on a worker thread (ThreadFeedStore)', () => {
  it('writes the same bytes and answers the same as on the calling thread', async () => {
    const root = makeTempDir(teardown);
    const local = await history(new LocalFeedStore(new FeedFiles(join(root, 'local'))));
    const thread = await history(await threadStore(join(root, 'thread')));
    assert.deepEqual(thread, local);
    assert.deepEqual(bytesOf(join(root, 'thread')), bytesOf(join(root, 'local')));
    assert.equal((local[4] as unknown[]).length, 101, 'the read answered');
  });

  it('passes errors back as the caller knows them: ReadError, and errno codes', async () => {
    const store = await threadStore(join(makeTempDir(teardown), 'feeds'));
    store.create(1, 10);
    const bad = {
      startS: T0,
      endS: T0 - 10,
      interval: 10,
      average: false,
      skipMissing: false,
      timeZone: 'UTC',
    };
    await assert.rejects(store.query(1, [], bad), (err) => err instanceof ReadError);
    await assert.rejects(store.writePoints(2, [{ tsS: T0, value: 1, join: false }]), { code: 'ENOENT' });
    assert.equal(store.status().state, 'ready', 'an operation that fails leaves the worker serving');
  });

  it('stop waits for the writes already sent, then ends the worker; later calls are refused', async () => {
    const dir = join(makeTempDir(teardown), 'feeds');
    const store = new ThreadFeedStore(dir);
    await store.start();
    store.create(1, 10);
    const writes = Array.from({ length: 20 }, (_, k) =>
      store.writePoints(1, [{ tsS: T0 + k * 10, value: k, join: false }]),
    );
    await store.stop();
    assert.equal((await Promise.all(writes)).length, 20);
    assert.equal(new FeedFiles(dir).read(1).npoints, 20, 'every write sent before stop is on disk');
    assert.equal(store.status().state, 'stopped');
    await assert.rejects(store.clear(1), /closed/);
  });
});

describe('hubd with its feed files on a worker', () => {
  it('/readyz shows the worker and the event-loop delay (p50, p99, max)', async () => {
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const hub = await startTestHub(teardown, { redisUrl: redis.url, clock: new ManualClock(NOW_S * 1000) });
    const admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    const created = await admin.request('POST', '/api/v1/feeds', { json: { name: 'house', intervalS: 10 } });
    const id = (created.body as { id: number }).id;
    await admin.request('POST', `/api/v1/feeds/${id}/points`, { json: { points: [[T0, 42]] } });
    await hub.flusher.flush();
    assert.equal(hub.feeds.meta(id).npoints, 1, 'written through the worker');

    const res = await admin.request('GET', '/readyz');
    const body = res.body as {
      components: Record<string, { state: string; detail?: Record<string, unknown> }>;
    };
    assert.equal(body.components['feed-files']?.state, 'ready');
    const loop = body.components['event-loop'];
    assert.equal(loop?.state, 'ready');
    for (const field of ['p50Ms', 'p99Ms', 'maxMs', 'maxSinceStartMs'])
      assert.equal(typeof loop?.detail?.[field], 'number', field);
    assert.ok((loop!.detail!.p99Ms as number) >= (loop!.detail!.p50Ms as number));
    await hub.hub.stop();
    assert.equal(
      hub.hub.readiness().components['feed-files']?.state,
      'stopped',
      'the worker ended with hubd',
    );
  });
});
