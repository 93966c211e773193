import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const JAN_S = Date.UTC(2026, 0, 1) / 1000; // London is on GMT all January
const FEB_S = Date.UTC(2026, 1, 1) / 1000;
const clock = new ManualClock((FEB_S + 12 * 3600) * 1000);
let admin: HttpClient;
let feedId: number;

interface Summary {
  energyKWh: number;
  standingChargeMinor: number;
  totalMinor: number;
  byBand: { name: string; energyKWh: number; costMinor: number }[];
  days: { startS: number; energyKWh: number; costMinor: number }[];
  halfHours?: { startS: number; energyKWh: number }[];
}
const round = (x: number) => Number(x.toFixed(6));

describe('a month of energy and cost by day and by band', () => {
  before(async () => {
    ({ admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    const feed = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'use', intervalS: 60, unit: 'W' },
    });
    feedId = (feed.body as { id: number }).id;
    // 1 kW all January, except 3 kW on the 10th.
    const points = Array.from({ length: 31 * 1440 }, (_, i) => {
      const t = JAN_S + i * 60;
      return [t, t >= JAN_S + 9 * 86_400 && t < JAN_S + 10 * 86_400 ? 3000 : 1000];
    });
    for (let i = 0; i < points.length; i += 5000) {
      const res = await admin.request('POST', `/api/v1/feeds/${feedId}/points`, {
        json: { points: points.slice(i, i + 5000) },
      });
      assert.equal(res.status, 200, res.text);
    }
    await admin.request('PUT', '/api/v1/tariff', {
      json: {
        currency: 'GBP',
        standingChargeMinorPerDay: 50,
        vatPercent: 0,
        bands: [
          { name: 'Night', start: '00:00', end: '07:30', priceMinorPerKWh: 10 },
          { name: 'Day', start: '07:30', end: '00:00', priceMinorPerKWh: 30 },
        ],
      },
    });
  });

  it('sums the month by band, with the standing charge for every day, equal to the feed data', async () => {
    const res = await admin.request(
      'GET',
      `/api/v1/energy/summary?feedId=${feedId}&start=${JAN_S}&end=${FEB_S}`,
    );
    assert.equal(res.status, 200, res.text);
    const month = res.body as Summary;
    // 30 days × 24 kWh + 72 kWh on the 10th
    assert.equal(round(month.energyKWh), 792);
    assert.deepEqual(
      month.byBand.map((b) => [b.name, round(b.energyKWh), round(b.costMinor)]),
      [
        ['Night', 30 * 7.5 + 22.5, (30 * 7.5 + 22.5) * 10],
        ['Day', 30 * 16.5 + 49.5, (30 * 16.5 + 49.5) * 30],
      ],
    );
    assert.equal(month.standingChargeMinor, 31 * 50);
    assert.equal(round(month.totalMinor), 2475 + 16335 + 1550);
    assert.equal(month.days.length, 31);
    // A household with one meter and no solar: all of its use is imported.
    assert.deepEqual(month.days[9], {
      startS: JAN_S + 9 * 86_400,
      energyKWh: 72,
      importKWh: 72,
      exportKWh: 0,
      solarKWh: 0,
      costMinor: 22.5 * 10 + 49.5 * 30,
      selfConsumption: null,
      selfSufficiency: 0,
    });
  });

  it('opens one day into its 48 half-hours', async () => {
    const day = JAN_S + 9 * 86_400;
    const res = await admin.request(
      'GET',
      `/api/v1/energy/summary?feedId=${feedId}&start=${day}&end=${day + 86_400}&halfHours=1`,
    );
    const summary = res.body as Summary;
    assert.equal(summary.halfHours?.length, 48);
    assert.ok(summary.halfHours!.every((h) => round(h.energyKWh) === 1.5));
  });

  it('refuses a backwards or over-long range', async () => {
    const backwards = await admin.request(
      'GET',
      `/api/v1/energy/summary?feedId=${feedId}&start=${FEB_S}&end=${JAN_S}`,
    );
    assert.equal(backwards.status, 400);
    const long = await admin.request('GET', `/api/v1/energy/summary?feedId=${feedId}&start=0&end=${FEB_S}`);
    assert.equal(long.status, 400);
  });
});
