import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let redis: TestRedis;
let admin: HttpClient;

async function newFeed(name: string, intervalS = 10): Promise<number> {
  const res = await admin.request('POST', '/api/v1/feeds', { json: { name, intervalS } });
  assert.equal(res.status, 201, res.text);
  return (res.body as { id: number }).id;
}

const post = (id: number, points: [number, number | null][], join = false) =>
  admin.request('POST', `/api/v1/feeds/${id}/points`, { json: { points, join } });
const data = async (id: number, q: string) =>
  (await admin.request('GET', `/api/v1/feeds/${id}/data?${q}`)).body;
const datSize = (id: number) => statSync(join(hub.dataDir, 'feeds', `${id}.dat`)).size;

// The service's logic (buffered reads, flushes, overwrites, refusals) runs on in-memory ports in
// test/unit/timeseries/feed-service.test.ts; here what needs the whole hub: HTTP and emoncms
// answers, and Redis going away.
describe('feeds over HTTP, and through a Redis outage', () => {
  before(async () => {
    redis = await startRedis();
    teardown.add(() => redis.stop());
    hub = await startTestHub(teardown, { redisUrl: redis.url, clock });
    admin = hub.client();
    await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
  });

  it("answers emoncms's nulls, in ms, for reads starting before the feed's first slot", async () => {
    // The values and averages themselves: test/unit/timeseries/feed-service.test.ts.
    const id = await newFeed('young feed');
    const t0 = NOW_S - (NOW_S % 10) - 3000; // mid-day: the day's rollup bucket starts before it
    const values = Array.from({ length: 100 }, (_, i) => 200 + i);
    await post(
      id,
      values.map((v, i) => [t0 + i * 10, v]),
    );
    await hub.flusher.flush();
    await hub.feeds.rebuildRollups(id);
    const startS = t0 - 20_003; // not on a 600 s block edge
    const endS = t0 + 45;
    const expected: [number, number | null][] = [];
    for (let t = startS; t <= endS; t += 10)
      expected.push([t, t < t0 ? null : values[Math.floor((t - t0) / 10)]!]);

    const own = await admin.request(
      'GET',
      `/api/v1/feeds/${id}/data?start=${startS}&end=${endS}&interval=10`,
    );
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(own.body, expected);
    const averaged = await admin.request(
      'GET',
      `/api/v1/feeds/${id}/data?start=${startS}&end=${endS}&interval=600&average=1`,
    );
    assert.equal(averaged.status, 200, averaged.text);

    // emoncms answers nulls before start_time (get_data_combined); feed/data.json in ms by default
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const res = await fetch(
      `${hub.baseUrl}/feed/data.json?id=${id}&start=${startS}&end=${endS}&interval=10&apikey=${keys.readApiKey}`,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      await res.json(),
      expected.map(([t, v]) => [t * 1000, v]),
    );
  });

  const badBatches: { name: string; points: unknown; message: RegExp }[] = [
    {
      name: 'Infinity is not a value',
      points: [
        [NOW_S, 1],
        [NOW_S, 'Infinity'],
      ],
      message: /value must be a number/,
    },
    {
      name: 'a point two days ahead',
      points: [
        [NOW_S, 1],
        [NOW_S + 2 * 86_400, 1],
      ],
      message: /too far in the future/,
    },
    { name: 'a time that is not a number', points: [['yesterday', 1]], message: /time must be unix seconds/ },
  ];
  for (const bad of badBatches) {
    it(`refuses a batch with ${bad.name}, storing nothing of it`, async () => {
      const id = await newFeed(`bad ${bad.name}`);
      const res = await admin.request('POST', `/api/v1/feeds/${id}/points`, { json: { points: bad.points } });
      assert.equal(res.status, 400);
      assert.match((res.body as { error: string }).error, bad.message);
      assert.equal((await admin.request('GET', `/api/v1/feeds/${id}/last`)).body, null);
    });
  }

  it('refuses unknown feeds, ids with path characters and intervals emoncms does not offer', async () => {
    // The service's refusals themselves: test/unit/timeseries/feed-service.test.ts.
    assert.equal((await post(999, [[NOW_S, 1]])).status, 404);
    assert.equal(
      (await admin.request('GET', '/api/v1/feeds/..%2F1/data?start=1&end=2&interval=10')).status,
      400,
    );
    const res = await admin.request('POST', '/api/v1/feeds', { json: { name: 'odd', intervalS: 7 } });
    assert.equal(res.status, 400);
    assert.match((res.body as { error: string }).error, /interval must be one of 1, 5, 10/);
  });

  it('holds points in memory while Redis is down, reports not ready, and flushes them later', async () => {
    const id = await newFeed('redis outage');
    const t = NOW_S - (NOW_S % 10) - 50;
    await redis.stop();
    await waitFor(() => hub.hub.readiness().components.redis?.state === 'down');
    assert.equal(
      (
        await post(id, [
          [t, 5],
          [t + 10, 6],
        ])
      ).status,
      200,
      'still accepting',
    );
    assert.deepEqual(await data(id, `start=${t}&end=${t + 10}&interval=10`), [
      [t, 5],
      [t + 10, 6],
    ]);
    const ready = await admin.request('GET', '/readyz');
    assert.equal(ready.status, 503);
    await hub.flusher.flush();
    assert.equal(datSize(id), 8, 'flushed from memory');
    redis = await startRedisOn(redis.port);
    await waitFor(() => hub.hub.readiness().components.redis?.state === 'ready');
  });
});

async function startRedisOn(port: number): Promise<TestRedis> {
  const again = await startRedis(port);
  teardown.add(() => again.stop());
  return again;
}

async function waitFor(check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
