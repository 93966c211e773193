import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommunityDaysJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { GatewaySim, sampleProfiles } from '../../../scripts/sim/gateway-sim.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';

// The Community page's past days through a whole hub: the gateway simulator's profiles over a
// weekend with the autumn clock change (London), the household's use posted to its feed, and
// GET /api/v1/community/days checked against sums this test works out itself from what was sent.
const teardown = useTeardown();
const SLOT_S = 1800;
const iso = (s: string) => Date.parse(s) / 1000;
const T0_S = iso('2026-10-24T10:00:00Z'); // Saturday 11:00 BST; the clocks go back on Sunday 25th
const NOW_S = iso('2026-10-26T12:10:00Z'); // Monday, GMT, ten minutes into a half hour
const PUBLISHED_S = [T0_S, iso('2026-10-24T18:00:00Z'), iso('2026-10-25T18:00:00Z')];
const clock = new ManualClock(T0_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let gateway: GatewaySim;

/** The household's draw: constant within each half hour, changing between them. */
const houseW = (t: number) => 400 + 100 * (Math.floor(t / SLOT_S) % 7);

/**
 * What each slot's kept value should be: every profile is taken from the slot holding the time it
 * was sent for 24 h (timeseries.maxFutureS), and a later one overwrites an earlier one.
 */
function kept(name: 'hydro' | 'community' | 'price'): Map<number, number> {
  const slots = new Map<number, number>();
  for (const sentS of PUBLISHED_S) {
    const dayStartS = Math.floor(sentS / 86_400) * 86_400;
    const profile = sampleProfiles(dayStartS)[name];
    profile.values.forEach((v, i) => {
      const t = profile.start + i * profile.interval;
      if (t >= Math.floor(sentS / SLOT_S) * SLOT_S && t <= sentS + 86_400) slots.set(t, Math.fround(v));
    });
  }
  return slots;
}

interface Expected {
  hydroKWh: number | null;
  communityKWh: number | null;
  householdKWh: number | null;
  sharePct: number | null;
  goodPct: number | null;
}

/** The day's figures worked out slot by slot from what the test sent. */
function expectedDay(startS: number, endS: number): Expected {
  const hydro = kept('hydro');
  const community = kept('community');
  const price = kept('price');
  const sum = { hydro: 0, community: 0, house: 0, bothHouse: 0, bothCommunity: 0, judged: 0, good: 0 };
  const seen = { hydro: false, community: false, house: false };
  for (let t = startS; t < Math.min(endS, NOW_S); t += SLOT_S) {
    const hours = (Math.min(t + SLOT_S, NOW_S) - t) / 3600;
    const houseKWh = t >= iso('2026-10-23T23:00:00Z') ? (houseW(t) * hours) / 1000 : null;
    const h = hydro.get(t);
    const c = community.get(t);
    if (h !== undefined) [sum.hydro, seen.hydro] = [sum.hydro + h * hours, true];
    if (c !== undefined) [sum.community, seen.community] = [sum.community + c * hours, true];
    if (houseKWh === null) continue;
    [sum.house, seen.house] = [sum.house + houseKWh, true];
    if (c !== undefined) {
      sum.bothHouse += houseKWh;
      sum.bothCommunity += c * hours;
    }
    const p = price.get(t);
    if (p === undefined) continue;
    // The light's rule: among the cheapest third of the known prices from this slot for 24 h.
    const ahead: number[] = [];
    for (let k = 0; k < 48; k++) {
      const v = price.get(t + k * SLOT_S);
      if (v !== undefined) ahead.push(v);
    }
    const cheaper = ahead.filter((v) => v < p).length;
    sum.judged += houseKWh;
    if (cheaper < Math.ceil(ahead.length / 3)) sum.good += houseKWh;
  }
  return {
    hydroKWh: seen.hydro ? sum.hydro : null,
    communityKWh: seen.community ? sum.community : null,
    householdKWh: seen.house ? sum.house : null,
    sharePct: sum.bothCommunity > 0 ? (sum.bothHouse / sum.bothCommunity) * 100 : null,
    goodPct: sum.judged > 0 ? (sum.good / sum.judged) * 100 : null,
  };
}

const round = (x: number | null) => (x === null ? null : Number(x.toFixed(6)));
const pointsWritten = () =>
  hub.hub.readiness().components['signal-feeds']?.detail?.pointsWritten as number | undefined;

describe("the Community page's past days", () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { timezone: 'Europe/London' } }));
    const res = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'Meter gateway', kind: 'gateway', topicName: 'meter1' },
    });
    assert.equal(res.status, 201, res.text);
    const login = res.body as { mqttUsername: string; secret: string };
    gateway = new GatewaySim({ name: 'meter1', clock });
    teardown.add(() => gateway.stop());
    await gateway.start({
      url: `mqtt://127.0.0.1:${hub.mqttPort}`,
      username: login.mqttUsername,
      password: login.secret,
    });
    // Four signals × 49 half hours per profile (its first slot to 24 h ahead, both included).
    await until(() => pointsWritten() === 196, 5000, 'the first profile kept');
    clock.jump(PUBLISHED_S[1]! * 1000 - clock.nowMs()); // the simulator's 18:00 UTC profile
    await until(() => pointsWritten() === 2 * 196, 5000, 'the second profile kept');
    clock.jump(PUBLISHED_S[2]! * 1000 - clock.nowMs());
    await until(() => pointsWritten() === 3 * 196, 5000, 'the third profile kept');
    clock.jump(NOW_S * 1000 - clock.nowMs());

    const feed = await admin.request('POST', '/api/v1/feeds', {
      json: { name: 'use', intervalS: 60, unit: 'W' },
    });
    const id = (feed.body as { id: number }).id;
    const points: [number, number][] = [];
    for (let t = iso('2026-10-23T23:00:00Z'); t < NOW_S; t += 60) points.push([t, houseW(t)]);
    for (let i = 0; i < points.length; i += 5000) {
      const posted = await admin.request('POST', `/api/v1/feeds/${id}/points`, {
        json: { points: points.slice(i, i + 5000) },
      });
      assert.equal(posted.status, 200, posted.text);
    }
  });

  it('gives hydro, community and household kWh per local day, the 25-hour day included', async () => {
    const res = await admin.request('GET', '/api/v1/community/days?days=4');
    assert.equal(res.status, 200, res.text);
    const body = res.body as CommunityDaysJson;
    assert.equal(body.timeZone, 'Europe/London');
    assert.equal(body.goodSignal, 'price');
    const bounds = [
      ['2026-10-22T23:00:00Z', '2026-10-23T23:00:00Z'],
      ['2026-10-23T23:00:00Z', '2026-10-24T23:00:00Z'],
      ['2026-10-24T23:00:00Z', '2026-10-26T00:00:00Z'],
      ['2026-10-26T00:00:00Z', '2026-10-27T00:00:00Z'],
    ].map(([a, b]) => [iso(a!), iso(b!)] as const);
    assert.deepEqual(
      body.days.map((d) => [d.startS, d.endS, d.hours]),
      bounds.map(([a, b]) => [a, b, (b - a) / 3600]),
    );
    assert.deepEqual(
      body.days.map((d) => ({
        hydroKWh: round(d.hydroKWh),
        communityKWh: round(d.communityKWh),
        householdKWh: round(d.householdKWh),
        sharePct: round(d.householdSharePct),
        goodPct: round(d.goodUsePct),
      })),
      bounds.map(([a, b]) => {
        const e = expectedDay(a, b);
        return {
          hydroKWh: round(e.hydroKWh),
          communityKWh: round(e.communityKWh),
          householdKWh: round(e.householdKWh),
          sharePct: round(e.sharePct),
          goodPct: round(e.goodPct),
        };
      }),
    );
    // Saturday's signals start when the first profile came (10:00 UTC): 13 of its 24 hours.
    assert.equal(body.days[1]!.hydroHours, 13);
    assert.equal(body.days[1]!.householdHours, 24);
    assert.equal(body.days[2]!.communityHours, 25);
    assert.equal(body.days[3]!.untilS, NOW_S);
    assert.ok(body.days[2]!.householdSharePct! > 0);
  });

  it('says why a day before the hub had anything is empty, never 0', async () => {
    const body = (await admin.request('GET', '/api/v1/community/days?days=4')).body as CommunityDaysJson;
    const friday = body.days[0]!;
    assert.deepEqual(
      [
        friday.hydroKWh,
        friday.communityKWh,
        friday.householdKWh,
        friday.householdSharePct,
        friday.goodUsePct,
      ],
      [null, null, null, null, null],
    );
    assert.deepEqual(friday.why, {
      hydro: 'no-data',
      community: 'no-data',
      household: 'no-data',
      share: 'no-community',
      goodUse: 'no-household',
    });
  });

  it('says the good-hours share needs a one-signal target', async () => {
    const put = await admin.request('PUT', '/api/v1/signals/target', {
      json: {
        terms: [
          { signal: 'price', weight: 1 },
          { signal: 'hydro', weight: 1 },
        ],
      },
    });
    assert.equal(put.status, 200, put.text);
    const body = (await admin.request('GET', '/api/v1/community/days?days=2')).body as CommunityDaysJson;
    assert.equal(body.days.length, 2);
    assert.deepEqual(
      body.days.map((d) => [d.goodUsePct, d.why.goodUse]),
      [
        [null, 'mixed-target'],
        [null, 'mixed-target'],
      ],
    );
    assert.notEqual(body.days[1]!.hydroKWh, null);
  });

  it('gives no kWh for a signal feed not in a power unit, and says why', async () => {
    const community = hub.feeds.list().find((f) => f.tag === 'signals' && f.name === 'community')!;
    const patched = await admin.request('PATCH', `/api/v1/feeds/${community.id}`, {
      json: { unit: 'p/kWh' },
    });
    assert.equal(patched.status, 200, patched.text);
    const body = (await admin.request('GET', '/api/v1/community/days?days=1')).body as CommunityDaysJson;
    const [today] = body.days;
    assert.deepEqual(
      [today!.communityKWh, today!.why.community, today!.householdSharePct, today!.why.share],
      [null, 'not-power', null, 'no-community'],
    );
    assert.notEqual(today!.householdKWh, null);
    await admin.request('PATCH', `/api/v1/feeds/${community.id}`, { json: { unit: 'kW' } });
  });

  it('refuses a bad number of days and lets a viewer read', async () => {
    for (const q of ['0', '32', 'x', '1.5']) {
      const res = await admin.request('GET', `/api/v1/community/days?days=${q}`);
      assert.equal(res.status, 400, q);
      assert.equal((res.body as { code: string }).code, 'invalid_days');
    }
    await admin.request('POST', '/api/v1/users', {
      json: { username: 'vic', password: 'vic-password', role: 'viewer' },
    });
    const viewer = hub.client();
    await viewer.request('POST', '/api/v1/session', { json: { username: 'vic', password: 'vic-password' } });
    assert.equal((await viewer.request('GET', '/api/v1/community/days')).status, 200);
    assert.equal((await hub.client().request('GET', '/api/v1/community/days')).status, 401);
  });
});
