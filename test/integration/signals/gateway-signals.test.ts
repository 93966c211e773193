import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { SignalsView, SignalView } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { GatewaySim, sampleProfiles } from '../../../scripts/sim/gateway-sim.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { mqttClient, nextMessage } from '../../helpers/mqtt.js';
import { useTeardown } from '../../helpers/teardown.js';

// The meter gateway's day-ahead profile through a real hub: a gateway login publishes it, the hub
// takes it whole, caches it, republishes it retained and reports it fresh; nobody else may
// publish it, a broken one is refused and counted, and an old one is reported stale.
const teardown = useTeardown();
const NOON = Date.UTC(2026, 10, 28, 12);
const MIDNIGHT_S = Date.UTC(2026, 10, 28) / 1000;
const clock = new ManualClock(NOON);
let hub: TestHub;
let admin: HttpClient;
let url: string;
let gateway: GatewaySim;
let watcher: MqttClient;

async function addDevice(name: string, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  const body = res.body as { mqttUsername: string; secret: string };
  return { username: body.mqttUsername, password: body.secret };
}

async function signal(name: string): Promise<SignalView> {
  const res = await admin.request('GET', '/api/v1/signals');
  assert.equal(res.status, 200, res.text);
  return (res.body as SignalsView).signals.find((s) => s.name === name)!;
}

/** Polls (real time) until `check` passes; signals arrive over MQTT. */
async function eventually<T>(get: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await get();
    if (check(v)) return v;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const expectedPrice = sampleProfiles(MIDNIGHT_S).price.values.slice(24); // from the 12:00 slot

describe('meter gateway signals', () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    url = `mqtt://127.0.0.1:${hub.mqttPort}`;
    watcher = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
    await watcher.subscribeAsync(['hub/signals/#', 'gateway/#']);
  });

  it('lists the gateway signals as missing before any profile arrived', async () => {
    const price = await signal('price');
    assert.deepEqual(
      { stale: price.stale, why: price.why, signal: price.signal },
      { stale: true, why: 'no day-ahead price profile yet', signal: null },
    );
  });

  it('takes the simulator profile: fresh in the API, retained on hub/signals/price, cached', async () => {
    const login = await addDevice('Meter gateway', 'gateway', 'meter1');
    gateway = new GatewaySim({ name: 'meter1', clock });
    teardown.add(() => gateway.stop());
    const republished = nextMessage(watcher, (t) => t === 'hub/signals/price');
    await gateway.start({ url, ...login });
    const price = await eventually(
      () => signal('price'),
      (s) => s.signal !== null,
      'the price profile',
    );
    assert.equal(price.stale, false);
    assert.equal(price.why, null);
    assert.deepEqual(price.signal, {
      startS: NOON / 1000,
      intervalS: 1800,
      values: expectedPrice,
      unit: 'p/kWh',
      optimise: 'min',
      source: 'gateway:meter1',
      receivedAtS: NOON / 1000,
    });
    assert.equal(price.horizonEndMs, (MIDNIGHT_S + 2 * 86400) * 1000);
    const hydro = await eventually(
      () => signal('hydro'),
      (s) => s.signal !== null,
      'the hydro forecast',
    );
    assert.equal(hydro.signal?.optimise, 'max');

    assert.deepEqual(JSON.parse((await republished).payload), price.signal);
    // A device that subscribes later gets it at once: it is retained.
    const plug = await addDevice('Plug', 'tasmota', 'plug1');
    const reader = await mqttClient(teardown, url, plug);
    const retained = nextMessage(reader, (t) => t === 'hub/signals/price');
    await reader.subscribeAsync('hub/signals/#');
    const got = await retained;
    assert.equal(got.retain, true);
    assert.deepEqual(JSON.parse(got.payload), price.signal);
    await reader.endAsync();

    const cached: unknown = JSON.parse(readFileSync(join(hub.dataDir, 'signals', 'price.json'), 'utf8'));
    assert.deepEqual(cached, price.signal);
  });

  it("keeps the four gateway signals as feeds (tag signals), each slot up to the feeds' future limit", async () => {
    const feeds = await eventually(
      () => Promise.resolve(hub.feeds.list().filter((f) => f.tag === 'signals')),
      (list) => list.length >= 4,
      'the signal feeds',
    );
    assert.deepEqual(feeds.map((f) => [f.name, f.unit, f.intervalS]).sort(), [
      ['carbon', 'gCO2/kWh', 1800],
      ['community', 'kW', 1800],
      ['hydro', 'kW', 1800],
      ['price', 'p/kWh', 1800],
    ]);
    // 49 slots each (12:00 today to 12:00 tomorrow, both included), once all four posts are done.
    await eventually(
      () => Promise.resolve(hub.hub.readiness().components['signal-feeds']?.detail?.pointsWritten),
      (n) => n === 196,
      'the points written',
    );
    const price = feeds.find((f) => f.name === 'price')!;
    assert.equal(await hub.feeds.valueAt(price.id, NOON / 1000), Math.fround(expectedPrice[0]!)); // PHPFina stores float32
    assert.equal(
      await hub.feeds.valueAt(price.id, NOON / 1000 + 23.5 * 3600),
      Math.fround(expectedPrice[47]!),
    );
    assert.equal(
      await hub.feeds.valueAt(price.id, NOON / 1000 + 24.5 * 3600),
      null,
      'beyond timeseries.maxFutureS',
    );
  });

  it('refuses the same topics from another device (ACL) and keeps the gateway signal', async () => {
    const plug = await addDevice('Other plug', 'tasmota', 'plug2');
    const other = await mqttClient(teardown, url, plug);
    const seen = nextMessage(
      watcher,
      (t) => t === 'gateway/meter1/signals/price' || t === 'hub/signals/price',
      700,
    ).then(
      () => true,
      () => false,
    );
    const forged = JSON.stringify({
      start: MIDNIGHT_S,
      interval: 1800,
      unit: 'p/kWh',
      values: new Array(48).fill(99),
    });
    other.publish('gateway/meter1/signals/price', forged, { qos: 0 });
    other.publish('hub/signals/price', forged, { qos: 0 });
    assert.equal(await seen, false, 'neither forged message reached anyone');
    const price = await signal('price');
    assert.deepEqual([price.signal?.source, price.signal?.values], ['gateway:meter1', expectedPrice]);
    other.end(true);
  });

  it('refuses a broken profile whole, counts it and keeps the previous one', async () => {
    const before = await signal('price');
    await gateway.publishSignal(
      'price',
      JSON.stringify({ start: MIDNIGHT_S, interval: 1800, unit: 'p/kWh', values: [1, 2, 'x'] }),
    );
    const after = await eventually(
      () => signal('price'),
      (s) => s.lastError !== null,
      'the refusal',
    );
    assert.match(after.lastError!, /^gateway:meter1: values\[2\] is not a finite number/);
    assert.deepEqual(after.signal, before.signal);
    assert.equal(after.stale, false);
    const ready = await admin.request('GET', '/readyz');
    const detail = (ready.body as { components: Record<string, { detail?: Record<string, unknown> }> })
      .components.signals?.detail;
    assert.equal(detail?.rejected, 1);
    assert.deepEqual(detail?.rejectedBySource, { 'gateway:meter1': 1 });
  });

  it('keeps the household target (admin sets, anyone reads) and names what it misses', async () => {
    const initial = await admin.request('GET', '/api/v1/signals/target');
    assert.deepEqual(initial.body, { terms: [{ signal: 'price', weight: 1 }], missing: [] });
    const bad = await admin.request('PUT', '/api/v1/signals/target', {
      json: { terms: [{ signal: 'price', weight: -1 }] },
    });
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { code: string }).code, 'invalid_target');
    const terms = [
      { signal: 'price', weight: 2 },
      { signal: 'hydro', weight: 1 },
      { signal: 'solar', weight: 1 },
    ];
    const set = await admin.request('PUT', '/api/v1/signals/target', { json: { terms } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { terms, missing: ['solar'] });
    const list = (await admin.request('GET', '/api/v1/signals')).body as SignalsView;
    assert.deepEqual([list.target.terms, list.targetMissing], [terms, ['solar']]);
    const combined = hub.signals.targetSignal().signal!;
    assert.deepEqual(
      [combined.startS, combined.values.length, combined.unit],
      [NOON / 1000, expectedPrice.length, 'score'],
    );
  });

  it('says a profile is stale once no new one came for a day (and why, in local time)', async () => {
    await gateway.stop(); // no 18:00 profile today
    clock.jump(27 * 3600_000); // 15:00 on the 29th, GMT
    const price = await signal('price');
    assert.equal(price.stale, true);
    assert.match(price.why!, /^no day-ahead price profile since 12:00 yesterday/);
    assert.ok(price.signal, 'the last good one is still shown, marked stale');
  });
});

describe('the gateway simulator', () => {
  it('publishes its evening profile every day at 18:00 UTC, which the hub takes fresh', async () => {
    const login = await addDevice('Second gateway', 'gateway', 'meter2');
    const sim = new GatewaySim({ name: 'meter2', clock });
    teardown.add(() => sim.stop());
    await sim.start({ url, ...login });
    const atConnect = await eventually(
      () => signal('price'),
      (s) => s.signal?.source === 'gateway:meter2',
      'the profile sent at connect',
    );
    const nowMs = clock.nowMs();
    assert.equal(atConnect.signal?.receivedAtS, nowMs / 1000);
    const evening = Date.UTC(2026, 10, 29, 18);
    await clock.tickAsync(evening - nowMs);
    const fresh = await eventually(
      () => signal('price'),
      (s) => s.signal?.receivedAtS === evening / 1000,
      'the 18:00 profile',
    );
    assert.equal(fresh.stale, false);
    assert.equal(fresh.horizonEndMs, Date.UTC(2026, 10, 31));
    await eventually(
      () => Promise.resolve(sim.published),
      (n) => n === 8,
      'four signals at connect, four at 18:00',
    );
  });
});

describe('the tariff as a signal', () => {
  it('is missing until a tariff is set, then published within a minute and listed fresh', async () => {
    assert.deepEqual(
      [(await signal('tariff')).stale, (await signal('tariff')).why],
      [true, 'no time-of-use tariff yet (last attempt: no tariff set)'],
    );
    const put = await admin.request('PUT', '/api/v1/tariff', {
      json: {
        currency: 'GBP',
        standingChargeMinorPerDay: 50,
        vatPercent: 5,
        bands: [
          { name: 'Night', start: '00:30', end: '07:30', priceMinorPerKWh: 10 },
          { name: 'Day', start: '07:30', end: '00:30', priceMinorPerKWh: 30 },
        ],
      },
    });
    assert.equal(put.status, 200, put.text);
    const published = nextMessage(watcher, (t) => t === 'hub/signals/tariff');
    await clock.tickAsync(60_000);
    const tariff = JSON.parse((await published).payload) as SignalView['signal'];
    assert.deepEqual(
      [tariff?.source, tariff?.values.length, tariff?.values[0], tariff?.values[13]],
      [
        'tariff',
        96,
        31.5, // 18:00 local (GMT)
        10.5, // 00:30
      ],
    );
    const listed = await signal('tariff');
    assert.deepEqual([listed.stale, listed.signal?.startS], [false, tariff?.startS]);
  });
});
