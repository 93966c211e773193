import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  communityDay,
  communityDays,
  goodAt,
  kWhPerHourOf,
  lastLocalDays,
  sumCommunityDay,
  type CommunitySlot,
} from '../../../src/signals/community-days.js';

const TZ = 'Europe/London';
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min) / 1000;
const HALF = 1800;

/** Every half hour from `fromS` to `toS` with the same figures (null where a figure is missing). */
function slots(
  fromS: number,
  toS: number,
  f: Partial<Omit<CommunitySlot, 'startS' | 'seconds'>> = {},
): CommunitySlot[] {
  const out: CommunitySlot[] = [];
  for (let s = fromS; s < toS; s += HALF)
    out.push({
      startS: s,
      seconds: HALF,
      hydroKWh: f.hydroKWh === undefined ? 20 : f.hydroKWh,
      communityKWh: f.communityKWh === undefined ? 10 : f.communityKWh,
      householdKWh: f.householdKWh === undefined ? 0.25 : f.householdKWh,
      good: f.good === undefined ? null : f.good,
    });
  return out;
}

describe('the last local days', () => {
  it('ends with today and gives the autumn change its 25 hours', () => {
    // Monday 26 October 2026 09:00 GMT; the clocks went back on Sunday 25th.
    const days = lastLocalDays(utc(2026, 10, 26, 9), 3, TZ);
    assert.deepEqual(days, [
      { startS: utc(2026, 10, 23, 23), endS: utc(2026, 10, 24, 23) },
      { startS: utc(2026, 10, 24, 23), endS: utc(2026, 10, 26) },
      { startS: utc(2026, 10, 26), endS: utc(2026, 10, 27) },
    ]);
    assert.equal((days[1]!.endS - days[1]!.startS) / 3600, 25);
  });

  it('gives the spring change its 23 hours, across a month end', () => {
    const days = lastLocalDays(utc(2026, 4, 1, 12), 4, TZ);
    assert.deepEqual(
      days.map((d) => (d.endS - d.startS) / 3600),
      [23, 24, 24, 24],
    );
    assert.equal(days[0]!.startS, utc(2026, 3, 29)); // Sunday 29 March, the clocks go forward
    assert.equal(days[3]!.startS, utc(2026, 3, 31, 23)); // 1 April 00:00 BST
  });
});

describe('a day of figures', () => {
  it('sums a 25-hour day: 50 half hours, each figure over the hours it covers', () => {
    const day = { startS: utc(2026, 10, 24, 23), endS: utc(2026, 10, 26) };
    const [row] = communityDays([day], slots(day.startS, day.endS), utc(2026, 10, 27));
    assert.equal(row!.hours, 25);
    assert.equal(row!.hydroKWh, 50 * 20);
    assert.equal(row!.communityKWh, 50 * 10);
    assert.equal(row!.householdKWh, 50 * 0.25);
    assert.equal(row!.hydroHours, 25);
    assert.equal(row!.householdSharePct, 2.5);
    assert.deepEqual(row!.why, { goodUse: 'no-data' });
    assert.equal(row!.untilS, day.endS);
  });

  it('says a day without data is missing, never 0, and why', () => {
    const days = lastLocalDays(utc(2026, 11, 28, 12), 3, TZ);
    // Data only on the middle day.
    const rows = communityDays(days, slots(days[1]!.startS, days[1]!.endS), utc(2026, 11, 28, 12));
    assert.deepEqual(
      rows.map((r) => [r.hydroKWh, r.communityKWh, r.householdKWh, r.householdSharePct]),
      [
        [null, null, null, null],
        [960, 480, 12, 2.5],
        [null, null, null, null],
      ],
    );
    assert.deepEqual(rows[0]!.why, {
      hydro: 'no-data',
      community: 'no-data',
      household: 'no-data',
      share: 'no-community',
      goodUse: 'no-household',
    });
    assert.equal(rows[2]!.untilS, utc(2026, 11, 28, 12), 'today runs to now');
  });

  it('has no share when the community used nothing (not a division by zero, not 0 %)', () => {
    const day = { startS: utc(2026, 11, 27), endS: utc(2026, 11, 28) };
    const row = communityDay(
      day,
      day.endS,
      sumCommunityDay(day, slots(day.startS, day.endS, { communityKWh: 0 })),
    );
    assert.equal(row.communityKWh, 0, 'zero community use is a known value');
    assert.equal(row.householdSharePct, null);
    assert.equal(row.why.share, 'community-zero');
  });

  it('takes the share over the hours both are known (a gap in the community data)', () => {
    const day = { startS: utc(2026, 11, 27), endS: utc(2026, 11, 28) };
    // Community known only in the afternoon; the household all day, more in the morning.
    const morning = slots(day.startS, utc(2026, 11, 27, 12), { communityKWh: null, householdKWh: 1 });
    const afternoon = slots(utc(2026, 11, 27, 12), day.endS, { communityKWh: 10, householdKWh: 0.5 });
    const row = communityDay(day, day.endS, sumCommunityDay(day, [...morning, ...afternoon]));
    assert.equal(row.communityKWh, 240);
    assert.equal(row.communityHours, 12);
    assert.equal(row.householdKWh, 24 + 12);
    assert.equal(row.householdSharePct, 5); // 12 kWh of 240, not 36 of 240
  });

  it('gives the share of use in good hours, by energy', () => {
    const day = { startS: utc(2026, 11, 27), endS: utc(2026, 11, 28) };
    const good = slots(day.startS, utc(2026, 11, 27, 6), { good: true, householdKWh: 1 }); // 12 kWh
    const bad = slots(utc(2026, 11, 27, 6), utc(2026, 11, 27, 18), { good: false, householdKWh: 0.75 }); // 18
    const unjudged = slots(utc(2026, 11, 27, 18), day.endS, { good: null, householdKWh: 5 });
    const row = communityDay(day, day.endS, sumCommunityDay(day, [...good, ...bad, ...unjudged]));
    assert.equal(row.goodUsePct, 40); // 12 of the 30 judged
    assert.equal(row.householdKWh, 12 + 18 + 60);
  });

  it('puts a reason that holds for every day on each day', () => {
    const day = { startS: utc(2026, 11, 27), endS: utc(2026, 11, 28) };
    const row = communityDay(day, day.endS, sumCommunityDay(day, slots(day.startS, day.endS)), {
      hydro: 'not-power',
      goodUse: 'mixed-target',
    });
    assert.equal(row.hydroKWh, null);
    assert.deepEqual(row.why, { hydro: 'not-power', goodUse: 'mixed-target' });
    assert.equal(row.householdSharePct, 2.5);
  });

  it('counts only the slots that start inside the day', () => {
    const day = { startS: utc(2026, 11, 27), endS: utc(2026, 11, 28) };
    const around = slots(utc(2026, 11, 26, 23), utc(2026, 11, 28, 1));
    assert.equal(sumCommunityDay(day, around).hydroS, 86_400);
  });
});

describe('units and the good-time rule', () => {
  it('turns power units into kWh per hour and refuses anything else', () => {
    assert.equal(kWhPerHourOf('kW'), 1);
    assert.equal(kWhPerHourOf('W'), 0.001);
    assert.equal(kWhPerHourOf('MW'), 1000);
    assert.equal(kWhPerHourOf('p/kWh'), null);
  });

  it('calls a slot good when it is in the best third of the window from it', () => {
    const v = [5, 1, 9, 3, 7, 2];
    assert.equal(goodAt(v, 0, 6, 'min'), false); // 5: best third is 1, 2
    assert.equal(goodAt(v, 1, 6, 'min'), true);
    assert.equal(goodAt(v, 2, 6, 'max'), true); // 9 with more is better
    assert.equal(goodAt(v, 4, 2, 'min'), false); // [7, 2]: only 2 is good
    assert.equal(goodAt(v, 5, 6, 'min'), true); // the last slot alone
    assert.equal(goodAt([null, 1], 0, 2, 'min'), null);
    assert.equal(goodAt([4, 4, 4], 0, 3, 'min'), true, 'a flat signal is good throughout');
  });
});
