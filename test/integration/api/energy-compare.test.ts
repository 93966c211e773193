import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnergyComparison } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min) / 1000;
// Wednesday 11 March 2026, 15:10 GMT (London is on GMT all of early March).
const NOW_S = utc(2026, 3, 11, 15, 10);
const clock = new ManualClock(NOW_S * 1000);
let admin: HttpClient;
let feedId: number;
let newFeedId: number;
const round = (x: number) => Number(x.toFixed(6));

async function feedWith(name: string, runs: [fromS: number, toS: number, watts: number][]) {
  const feed = await admin.request('POST', '/api/v1/feeds', { json: { name, intervalS: 1800, unit: 'W' } });
  const id = (feed.body as { id: number }).id;
  const points = runs.flatMap(([fromS, toS, w]) =>
    Array.from({ length: (toS - fromS) / 1800 }, (_, i) => [fromS + i * 1800, w]),
  );
  for (let i = 0; i < points.length; i += 5000) {
    const res = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
      json: { points: points.slice(i, i + 5000) },
    });
    assert.equal(res.status, 200, res.text);
  }
  return id;
}

describe('this week and this month so far compared with last week and last year', () => {
  before(async () => {
    ({ admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    feedId = await feedWith('use', [
      [utc(2025, 3, 1), utc(2025, 4, 1), 500], // all of March 2025
      [utc(2026, 3, 1), utc(2026, 3, 9), 1000], // Sunday 1st and last week (Mon 2nd to Sun 8th)
      [utc(2026, 3, 9), utc(2026, 3, 11, 15, 30), 2000], // this week, up to the slot running now
    ]);
    newFeedId = await feedWith('new meter', [[utc(2026, 3, 9), utc(2026, 3, 11, 15, 30), 2000]]);
    await admin.request('PUT', '/api/v1/tariff', {
      json: {
        currency: 'GBP',
        standingChargeMinorPerDay: 50,
        vatPercent: 0,
        bands: [{ name: 'Flat', start: '00:00', end: '00:00', priceMinorPerKWh: 20 }],
      },
    });
  });

  it('compares the same days and hours, in kWh, import cost and their change', async () => {
    const res = await admin.request('GET', `/api/v1/energy/compare?feedId=${feedId}`);
    assert.equal(res.status, 200, res.text);
    const c = res.body as EnergyComparison;
    const figures = (p: EnergyComparison['week']['current']) => [
      p.startS,
      p.endS,
      p.days,
      p.daysWithData,
      round(p.energyKWh),
      round(p.importCostMinor),
    ];
    // Mon 9th 00:00 to Wed 11th 15:10: 63 h 10 min at 2 kW.
    const thisWeek = 2 * (63 + 1 / 6);
    assert.deepEqual(figures(c.week.current), [
      utc(2026, 3, 9),
      NOW_S,
      3,
      3,
      round(thisWeek),
      round(thisWeek * 20),
    ]);
    // Mon 2nd 00:00 to Wed 4th 15:10 at 1 kW; the rest of that Wednesday is left out.
    const lastWeek = 63 + 1 / 6;
    assert.deepEqual(figures(c.week.previous), [
      utc(2026, 3, 2),
      utc(2026, 3, 4, 15, 10),
      3,
      3,
      round(lastWeek),
      round(lastWeek * 20),
    ]);
    assert.deepEqual(c.week.change && Object.values(c.week.change).map((x) => round(x!)), [
      round(thisWeek - lastWeek),
      100,
      round((thisWeek - lastWeek) * 20),
      100,
    ]);
    // 1st to 8th at 1 kW (192 kWh) and this week; March 2025 from the 1st to the 11th 15:10 at 0.5 kW.
    const thisMonth = 192 + thisWeek;
    const lastYear = 0.5 * (10 * 24 + 15 + 1 / 6);
    assert.deepEqual(figures(c.month.current), [
      utc(2026, 3, 1),
      NOW_S,
      11,
      11,
      round(thisMonth),
      round(thisMonth * 20),
    ]);
    assert.deepEqual(figures(c.month.previous), [
      utc(2025, 3, 1),
      utc(2025, 3, 11, 15, 10),
      11,
      11,
      round(lastYear),
      round(lastYear * 20),
    ]);
    assert.equal(round(c.month.change!.energyPercent!), round(((thisMonth - lastYear) / lastYear) * 100));
    assert.equal(round(c.month.change!.importCostMinor), round((thisMonth - lastYear) * 20));
    assert.equal(c.currency, 'GBP');
  });

  it('has no change where the earlier period has no data', async () => {
    const res = await admin.request('GET', `/api/v1/energy/compare?feedId=${newFeedId}`);
    const c = res.body as EnergyComparison;
    assert.equal(c.week.previous.daysWithData, 0);
    assert.equal(c.week.change, null);
    assert.equal(c.month.previous.daysWithData, 0);
    assert.equal(c.month.change, null);
    assert.equal(c.week.current.daysWithData, 3);
  });
});
