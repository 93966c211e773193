import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PairingStateView } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { startTestHub } from '../../helpers/hub.js';
import { until } from '../../helpers/processes.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';
import { authRequestFrom, emonEspParts } from './auth-request-from.js';

// The one-time answers live only in hubd's memory: a restart ends every allowance, and the
// devices made for them, whose logins nobody can fetch, must go with them.
const teardown = useTeardown();
const clock = new ManualClock(Date.UTC(2026, 10, 27, 12));
const REQUESTS_KEY = 'hub:pairing:requests';
let redis: TestRedis;
let client: Redis;

describe('pairing across a hub restart', () => {
  before(async () => {
    redis = await startRedis();
    teardown.add(() => redis.stop());
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    teardown.add(() => client.quit());
  });

  it('deletes the device of an allowance not fetched before the restart and shows no old requests', async () => {
    const first = await startTestHub(teardown, { redisUrl: redis.url, clock });
    const admin = first.client();
    const onboarded = await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    assert.equal(onboarded.status, 201, onboarded.text);
    // One fetched its login before the restart (kept), one was allowed (deleted), one only asked.
    const ask = (ip: string) => authRequestFrom(first.baseUrl, ip);
    const allow = async (ip: string) => {
      const res = await admin.request('POST', `/api/v1/pairing/requests/${ip}/allow`, { json: {} });
      assert.equal(res.status, 201, res.text);
      return (res.body as { deviceId: number }).deviceId;
    };
    for (const ip of ['127.0.0.22', '127.0.0.23', '127.0.0.24']) assert.equal((await ask(ip)).status, 200);
    const fetchedId = await allow('127.0.0.22');
    assert.ok(emonEspParts((await ask('127.0.0.22')).body));
    const allowedId = await allow('127.0.0.23');
    await until(
      async () =>
        (await client.hget(REQUESTS_KEY, '127.0.0.23'))?.includes(`"deviceId":${allowedId}`) === true,
      2000,
      'the allowance mirrored',
    );
    assert.deepEqual((await client.hkeys(REQUESTS_KEY)).sort(), ['127.0.0.23', '127.0.0.24']);
    await first.hub.stop();

    const second = await startTestHub(teardown, { redisUrl: redis.url, clock, dataDir: first.dataDir });
    const ids = second.devices.list().map((d) => d.id);
    assert.ok(ids.includes(fetchedId), 'the fetched login stays');
    assert.ok(!ids.includes(allowedId), 'the unfetched one went');
    assert.equal(second.hub.readiness().components.pairing?.detail?.allowancesLostInRestart, 1);
    assert.match(second.logs.join(''), /a pairing allowance ended with the restart/);
    const admin2 = second.client();
    const signedIn = await admin2.request('POST', '/api/v1/session', {
      json: { username: 'ann', password: 'ann-password' },
    });
    assert.equal(signedIn.status, 200, signedIn.text);
    const state = await admin2.request('GET', '/api/v1/pairing');
    assert.deepEqual(state.body as PairingStateView, { windowOpenUntilMs: null, requests: [], claims: [] });
    await until(async () => (await client.exists(REQUESTS_KEY)) === 0, 2000, 'the mirror cleared');
    // The device asks on: a new request, never the old answer.
    assert.equal(
      (await authRequestFrom(second.baseUrl, '127.0.0.23')).body,
      'Authentication request registered for IP 127.0.0.23',
    );
  });
});
