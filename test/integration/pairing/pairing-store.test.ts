import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { PairingRequestView } from '../../../src/api/contract.js';
import { RedisPairingMirror } from '../../../src/pairing/pairing-store.redis.js';
import { silentLog } from '../../../src/shared/logger.js';
import { createKeys } from '../../../src/state/keys.js';
import { until } from '../../helpers/processes.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const keys = createKeys('hubtest');
const NOW = Date.UTC(2026, 10, 27, 12);
let redis: TestRedis;
let client: Redis;

const request = (ip: string): PairingRequestView => ({
  ip,
  firstSeenMs: NOW,
  lastSeenMs: NOW,
  count: 1,
  hint: 'ESP8266HTTPClient',
  allowedUntilMs: null,
  deviceId: null,
});

describe('the pairing state mirrored to Redis', () => {
  before(async () => {
    redis = await startRedis();
    teardown.add(() => redis.stop());
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    teardown.add(() => client.quit());
  });

  it('writes each pending request by address and the window with its expiry, and clears them', async () => {
    const mirror = new RedisPairingMirror(() => client, keys, silentLog);
    mirror.save(
      { windowOpenUntilMs: NOW + 600_000, requests: [request('10.0.0.23'), request('10.0.0.24')] },
      NOW,
    );
    await until(async () => (await client.hlen(keys.pairingRequests())) === 2, 2000, 'the mirror');
    assert.deepEqual(
      JSON.parse((await client.hget(keys.pairingRequests(), '10.0.0.24'))!),
      request('10.0.0.24'),
    );
    assert.deepEqual(JSON.parse((await client.get(keys.pairingWindow()))!), { openUntilMs: NOW + 600_000 });
    const ttlMs = await client.pttl(keys.pairingWindow());
    assert.ok(ttlMs > 590_000 && ttlMs <= 600_000, `window expiry ${ttlMs} ms`);

    mirror.save({ windowOpenUntilMs: null, requests: [request('10.0.0.24')] }, NOW + 1);
    await until(async () => (await client.hlen(keys.pairingRequests())) === 1, 2000, 'the second save');
    assert.equal(await client.exists(keys.pairingWindow()), 0);
    mirror.save({ windowOpenUntilMs: null, requests: [] }, NOW + 2);
    await until(async () => (await client.exists(keys.pairingRequests())) === 0, 2000, 'the last save');
    assert.equal(mirror.failedWrites, 0);
  });

  it('reads back what the last save left (what a restarted hubd finds), skipping what is not a request', async () => {
    const mirror = new RedisPairingMirror(() => client, keys, silentLog);
    const allowed = { ...request('10.0.0.23'), allowedUntilMs: NOW + 60_000, deviceId: 7 };
    mirror.save({ windowOpenUntilMs: null, requests: [allowed, request('10.0.0.24')] }, NOW);
    await until(async () => (await client.hlen(keys.pairingRequests())) === 2, 2000, 'the save');
    await client.hset(keys.pairingRequests(), { '10.0.0.25': 'not json', '10.0.0.26': '{"no":"ip"}' });
    const loaded = await mirror.load();
    assert.deepEqual(
      loaded.sort((a, b) => a.ip.localeCompare(b.ip)),
      [allowed, request('10.0.0.24')],
    );
    await client.del(keys.pairingRequests());
    assert.deepEqual(await mirror.load(), []);
  });

  it('counts a write Redis refuses and never throws', async () => {
    // Never connected, no offline queue: every command is refused at once, as while Redis is down.
    const down = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, disconnectTimeout: 0 });
    down.on('error', () => undefined);
    teardown.add(() => down.disconnect());
    const mirror = new RedisPairingMirror(() => down, keys, silentLog);
    mirror.save({ windowOpenUntilMs: null, requests: [request('10.0.0.23')] }, NOW);
    await until(() => mirror.failedWrites === 1, 2000, 'the failure counted');
    await assert.rejects(mirror.load(), 'a read Redis refuses rejects (the service logs it and starts)');
    const notStarted = new RedisPairingMirror(
      () => {
        throw new Error('Redis client used before start');
      },
      keys,
      silentLog,
    );
    notStarted.save({ windowOpenUntilMs: null, requests: [] }, NOW);
    assert.equal(notStarted.failedWrites, 1);
  });
});
