import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/shared/clock.js';
import type { EnergySummary, EnergyToday, TariffJson } from '../../../src/api/contract.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
// London is on GMT all January. The hub started on the 15th; it is 14:00 on the 20th.
const JAN_S = Date.UTC(2026, 0, 1) / 1000;
const FEB_S = Date.UTC(2026, 1, 1) / 1000;
const FIRST_S = JAN_S + 14 * 86_400;
const TODAY_S = JAN_S + 19 * 86_400;
const NOW_S = TODAY_S + 14 * 3600;
const clock = new ManualClock(NOW_S * 1000);
let admin: HttpClient;

// Every day: the house uses 1 kW; 3 kW of sun from 10:00 to 14:00.
const houseW = () => 1000;
const solarW = (t: number) =>
  (t - JAN_S) % 86_400 >= 10 * 3600 && (t - JAN_S) % 86_400 < 14 * 3600 ? 3000 : 0;

const tariff: TariffJson = {
  currency: 'GBP',
  standingChargeMinorPerDay: 50,
  vatPercent: 0,
  bands: [
    { name: 'Night', start: '00:00', end: '07:30', priceMinorPerKWh: 10 },
    { name: 'Day', start: '07:30', end: '00:00', priceMinorPerKWh: 30 },
  ],
  exportBands: [{ name: 'Export', start: '00:00', end: '00:00', priceMinorPerKWh: 15 }],
};
const round = (x: number | null) => (x === null ? null : Number(x.toFixed(6)));

describe('a solar household: cost from import and export, ratios, standing charge for days with data', () => {
  before(async () => {
    ({ admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    const series: Record<string, (t: number) => number> = {
      use: houseW,
      solar: solarW,
      import: (t) => Math.max(0, houseW() - solarW(t)),
      export: (t) => Math.max(0, solarW(t) - houseW()),
    };
    for (const [name, powerW] of Object.entries(series)) {
      const feed = await admin.request('POST', '/api/v1/feeds', { json: { name, intervalS: 60, unit: 'W' } });
      const id = (feed.body as { id: number }).id;
      const points = [];
      for (let t = FIRST_S; t < NOW_S; t += 60) points.push([t, powerW(t)]);
      for (let i = 0; i < points.length; i += 5000) {
        const res = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
          json: { points: points.slice(i, i + 5000) },
        });
        assert.equal(res.status, 200, res.text);
      }
    }
  });

  it('keeps a tariff without export working, with no export credit', async () => {
    const { exportBands: _none, ...legacy } = tariff;
    const put = await admin.request('PUT', '/api/v1/tariff', { json: legacy });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual((await admin.request('GET', '/api/v1/tariff')).body, { ...legacy, exportBands: [] });
    const today = (await admin.request('GET', '/api/v1/energy/today')).body as EnergyToday;
    assert.equal(round(today.exportCreditMinor), 0);
    // 10 kWh imported (7.5 at night, 2.5 by day) and the standing charge.
    assert.equal(round(today.totalMinor), 75 + 75 + 50);
  });

  it("costs today's import by band, plus the standing charge, less the export credit", async () => {
    assert.equal((await admin.request('PUT', '/api/v1/tariff', { json: tariff })).status, 200);
    const today = (await admin.request('GET', '/api/v1/energy/today')).body as EnergyToday;
    assert.deepEqual(
      [today.energyKWh, today.solarKWh, today.importKWh, today.exportKWh].map(round),
      [14, 12, 10, 8],
    );
    assert.deepEqual(
      today.byBand.map((b) => [b.name, round(b.energyKWh), round(b.costMinor)]),
      [
        ['Night', 7.5, 75],
        ['Day', 2.5, 75],
      ],
    );
    assert.equal(round(today.exportCreditMinor), 8 * 15);
    assert.equal(round(today.standingChargeMinor), 50);
    assert.equal(round(today.totalMinor), 75 + 75 + 50 - 120);
    assert.equal(round(today.selfConsumption), round((12 - 8) / 12));
    assert.equal(round(today.selfSufficiency), round((14 - 10) / 14));
    const feeds = (await admin.request('GET', '/api/v1/feeds')).body as { id: number; name: string }[];
    const id = (name: string) => feeds.find((f) => f.name === name)!.id;
    assert.deepEqual(today.feeds, {
      house: id('use'),
      solar: id('solar'),
      import: id('import'),
      export: id('export'),
    });
  });

  it('charges the standing charge only for the days the hub has data, none for days to come', async () => {
    const month = (await admin.request('GET', '/api/v1/energy/summary?month=2026-01')).body as EnergySummary;
    assert.equal(month.standingDays, 6);
    assert.equal(round(month.standingChargeMinor), 6 * 50);
    assert.deepEqual(
      month.days.map((d) => d.startS),
      [0, 1, 2, 3, 4, 5].map((i) => FIRST_S + i * 86_400),
    );
    // Five whole days and today until 14:00.
    const whole = { night: 7.5, day: 16.5 - 4, export: 8 };
    assert.equal(round(month.byBand[0]!.energyKWh), 6 * whole.night);
    assert.equal(round(month.byBand[1]!.energyKWh), 5 * whole.day + 2.5);
    assert.equal(round(month.exportKWh), 6 * whole.export);
    assert.equal(
      round(month.totalMinor),
      round(6 * 75 + (5 * whole.day + 2.5) * 30 + 6 * 50 - 6 * whole.export * 15),
    );
    const before = await admin.request('GET', `/api/v1/energy/summary?start=${JAN_S}&end=${FIRST_S}`);
    assert.equal((before.body as EnergySummary).totalMinor, 0, 'no charge before the hub existed');
    const future = await admin.request(
      'GET',
      `/api/v1/energy/summary?start=${TODAY_S + 86_400}&end=${FEB_S}`,
    );
    assert.equal((future.body as EnergySummary).totalMinor, 0, 'no charge for days to come');
  });
});
