import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SignalsView, SignalView } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { startRedis } from '../../helpers/redis-server.js';
import { useTeardown } from '../../helpers/teardown.js';

// Fetched forecasts from a local fixture server (never the internet): fetched on their own
// interval (not per plan), cached on disk and served when the server is gone; a bad answer is
// refused and counted, and the signal goes stale once past its TTL.
const teardown = useTeardown();
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/signals/${name}`, import.meta.url), 'utf8');
const START_MS = Date.UTC(2026, 10, 28, 12, 10);
const clock = new ManualClock(START_MS);
const bodies: Record<string, string> = {
  '/agile': fixture('agile-standard-unit-rates.json'),
  '/carbon': fixture('carbon-intensity-fw48h.json'),
};
const hits: Record<string, number> = { '/agile': 0, '/carbon': 0 };
let server: Server;
let base: string;
let redisUrl: string;
let hub: TestHub;
let admin: HttpClient;

async function signIn(h: TestHub): Promise<HttpClient> {
  const c = h.client();
  const res = await c.request('POST', '/api/v1/session', {
    json: { username: 'ann', password: 'ann-password' },
  });
  assert.equal(res.status, 200, res.text);
  return c;
}

async function signal(name: string): Promise<SignalView> {
  const res = await admin.request('GET', '/api/v1/signals');
  assert.equal(res.status, 200, res.text);
  return (res.body as SignalsView).signals.find((s) => s.name === name)!;
}

/** Moves the hub's clock on and waits for the fetches that fall due. */
async function advance(ms: number): Promise<void> {
  await clock.tickAsync(ms);
  await hub.signalFetch.idle();
}

const config = () => ({
  timezone: 'Europe/London',
  signals: {
    sources: [
      { name: 'agile', kind: 'agile', url: `${base}/agile`, refreshMinutes: 60, ttlMinutes: 180 },
      {
        name: 'grid-carbon',
        kind: 'carbon-intensity',
        url: `${base}/carbon`,
        refreshMinutes: 30,
        ttlMinutes: 120,
      },
    ],
  },
});

describe('fetched forecast signals', () => {
  before(async () => {
    server = createServer((req, res) => {
      const body = bodies[req.url ?? ''];
      if (body === undefined) return void res.writeHead(404).end();
      hits[req.url!]!++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    teardown.add(() => new Promise((resolve) => server.close(resolve)));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    redisUrl = redis.url;
    hub = await startTestHub(teardown, { redisUrl, clock, config: config() });
    await hub.signalFetch.idle();
    admin = hub.client();
    const res = await admin.request('POST', '/api/v1/onboarding', {
      json: { username: 'ann', password: 'ann-password' },
    });
    assert.equal(res.status, 201, res.text);
  });

  it('fetches each source at start, normalised from the slot now on, and caches it', async () => {
    const agile = await signal('agile');
    assert.equal(agile.stale, false);
    assert.deepEqual(
      [
        agile.signal?.startS,
        agile.signal?.intervalS,
        agile.signal?.values.length,
        agile.signal?.source,
        agile.signal?.unit,
      ],
      [Date.UTC(2026, 10, 28, 12) / 1000, 1800, 70, 'fetch:agile', 'p/kWh'],
    );
    const carbon = await signal('grid-carbon');
    assert.deepEqual([carbon.stale, carbon.signal?.values[0], carbon.signal?.unit], [false, 180, 'gCO2/kWh']);
    const cached: unknown = JSON.parse(readFileSync(join(hub.dataDir, 'signals', 'agile.json'), 'utf8'));
    assert.deepEqual(cached, agile.signal);
    assert.ok(existsSync(join(hub.dataDir, 'signals', 'grid-carbon.json')));
    assert.deepEqual(hits, { '/agile': 1, '/carbon': 1 });
  });

  it('does not fetch again for a plan or a read, only when its refresh interval is up', async () => {
    for (let i = 0; i < 5; i++) {
      assert.ok(hub.signals.get('agile'));
      await signal('agile');
    }
    await advance(29 * 60_000);
    assert.deepEqual(hits, { '/agile': 1, '/carbon': 1 });
    await advance(60_000); // 30 min: carbon's interval
    assert.deepEqual(hits, { '/agile': 1, '/carbon': 2 });
    await advance(30 * 60_000); // 60 min: both
    assert.deepEqual(hits, { '/agile': 2, '/carbon': 3 });
    // Fetched at start before there was an administrator to own feeds; since then kept as feeds.
    const feeds = hub.feeds.list().filter((f) => f.tag === 'signals');
    assert.deepEqual(feeds.map((f) => f.name).sort(), ['agile', 'grid-carbon']);
    assert.deepEqual(hub.hub.readiness().components['signal-feeds']?.detail?.skippedNoOwner, 2);
  });

  it('does not fetch a fresh cached signal again after a restart', async () => {
    await hub.hub.stop();
    hub = await startTestHub(teardown, { redisUrl, clock, config: config(), dataDir: hub.dataDir });
    await hub.signalFetch.idle();
    admin = await signIn(hub);
    assert.deepEqual(hits, { '/agile': 2, '/carbon': 3 });
    assert.equal((await signal('agile')).signal?.receivedAtS, START_MS / 1000 + 3600);
  });

  it('refuses a bad answer whole, counts it and keeps the last good signal', async () => {
    const before = await signal('agile');
    bodies['/agile'] = JSON.stringify({
      results: [
        { value_inc_vat: 'n/a', valid_from: '2026-11-28T14:00:00Z', valid_to: '2026-11-28T14:30:00Z' },
      ],
    });
    await advance(60 * 60_000);
    assert.equal(hits['/agile'], 3);
    const after = await signal('agile');
    assert.equal(after.lastError, 'fetch:agile: bad payload: entry 0 has no finite value');
    assert.deepEqual(after.signal?.receivedAtS, before.signal?.receivedAtS);
    assert.equal(after.stale, false);
    const detail = hub.hub.readiness().components.signals?.detail;
    assert.deepEqual(detail?.rejectedBySource, { 'fetch:agile': 1 });
  });

  it('serves the cached signals when the server has gone, stale once past the TTL, and says why', async () => {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
    await advance(60 * 60_000); // 15:10: agile last good at 13:10, TTL 3 h
    const agile = await signal('agile');
    assert.equal(agile.stale, false);
    assert.match(agile.lastError!, /^fetch:agile: cannot reach it \(ECONNREFUSED\)/);
    await advance(61 * 60_000); // 16:11
    const stale = await signal('agile');
    assert.equal(stale.stale, true);
    assert.equal(
      stale.why,
      'no Agile price forecast since 13:10 today (last attempt: fetch:agile: cannot reach it (ECONNREFUSED))',
    );
    assert.equal(
      stale.signal?.startS,
      Date.UTC(2026, 10, 28, 16) / 1000,
      'still served, from the slot now on',
    );
    const carbon = await signal('grid-carbon');
    assert.equal(carbon.stale, true);
    assert.ok(carbon.signal);
  });
});
