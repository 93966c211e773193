import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
// 12:00 UTC on 5 January 2026 (London is on GMT).
const NOON_S = Date.UTC(2026, 0, 5, 12) / 1000;
const clock = new ManualClock(NOON_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let feedId: number;

describe("tariff and today's energy and cost", () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    feedId = (
      (await admin.request('POST', '/api/v1/feeds', { json: { name: 'use', intervalS: 60, unit: 'W' } }))
        .body as { id: number }
    ).id;
    // 1 kW from midnight to 07:30 (night), then 2 kW until noon (day).
    const midnight = NOON_S - 12 * 3600;
    const points = Array.from({ length: 720 }, (_, i) => [midnight + i * 60, i < 450 ? 1000 : 2000]);
    const res = await admin.request('POST', `/api/v1/feeds/${feedId}/points`, { json: { points } });
    assert.equal(res.status, 200, res.text);
  });

  it('refuses a tariff with a gap or a bad field, with the reason', async () => {
    const gap = await admin.request('PUT', '/api/v1/tariff', {
      json: {
        currency: 'GBP',
        standingChargeMinorPerDay: 50,
        vatPercent: 5,
        bands: [{ name: 'Day', start: '07:00', end: '23:00', priceMinorPerKWh: 30 }],
      },
    });
    assert.equal(gap.status, 400);
    assert.match((gap.body as { error: string }).error, /no band covers 00:00/);
    const bad = await admin.request('PUT', '/api/v1/tariff', { json: { currency: 'pounds' } });
    assert.equal(bad.status, 400);
  });

  it('costs today by band from the power feed', async () => {
    const tariff = {
      currency: 'GBP',
      standingChargeMinorPerDay: 50,
      vatPercent: 0,
      bands: [
        { name: 'Night', start: '00:00', end: '07:30', priceMinorPerKWh: 10 },
        { name: 'Day', start: '07:30', end: '00:00', priceMinorPerKWh: 30 },
      ],
    };
    assert.equal((await admin.request('PUT', '/api/v1/tariff', { json: tariff })).status, 200);
    const today = (await admin.request('GET', `/api/v1/energy/today?feedId=${feedId}`)).body as {
      energyKWh: number;
      totalMinor: number;
      byBand: { name: string; energyKWh: number; costMinor: number }[];
      goodTime: { good: boolean; band: string };
    };
    assert.deepEqual(
      today.byBand.map((b) => [b.name, Number(b.energyKWh.toFixed(6)), Number(b.costMinor.toFixed(4))]),
      [
        ['Night', 7.5, 75],
        ['Day', 9, 270],
      ],
    );
    assert.equal(Number(today.totalMinor.toFixed(4)), 395);
    assert.deepEqual(today.goodTime, { good: false, band: 'Day', flat: false });
  });

  it('lets a viewer read the tariff and costs but not change them', async () => {
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    const viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
    assert.equal((await viewer.request('GET', '/api/v1/tariff')).status, 200);
    assert.equal((await viewer.request('GET', `/api/v1/energy/today?feedId=${feedId}`)).status, 200);
    assert.equal((await viewer.request('PUT', '/api/v1/tariff', { json: {} })).status, 403);
  });
});
