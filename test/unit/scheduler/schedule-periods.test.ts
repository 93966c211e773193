import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextPeriod, zonedInstantS } from '../../../src/scheduler/schedule-periods.js';
import { scheduleSchema, smartScheduleProblem, type SmartSchedule } from '../../../src/scheduler/schedule.js';

// "Ready by 8:00, weekdays": when the next period is, in the hub's zone, DST days included.
const LONDON = 'Europe/London';
const at = (iso: string) => Date.parse(iso) / 1000;
const iso = (s: number) => new Date(s * 1000).toISOString();
const smart = (over: Partial<SmartSchedule> = {}): SmartSchedule => ({
  readyBy: '08:00',
  runMinutes: 300,
  interruptible: true,
  minOnMinutes: 0,
  minGapMinutes: 0,
  repeat: [1, 2, 3, 4, 5],
  onceDate: null,
  energyKWh: null,
  rangeKm: null,
  whPerKm: 170,
  powerW: null,
  ...over,
});
const period = (s: SmartSchedule, now: string, zone = LONDON) => {
  const p = nextPeriod(s, at(now), zone);
  return p && [iso(p.fromS), iso(p.readyByS)];
};

describe('the next period of a smart schedule', () => {
  it('weekdays: Tuesday evening plans for Wednesday 8:00 from now', () => {
    assert.deepEqual(period(smart(), '2026-11-24T20:00:00Z'), [
      '2026-11-24T20:00:00.000Z',
      '2026-11-25T08:00:00.000Z',
    ]);
  });

  it('weekdays: Friday evening plans for Monday, from Sunday 8:00', () => {
    assert.deepEqual(period(smart(), '2026-11-27T20:00:00Z'), [
      '2026-11-29T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
    ]);
  });

  it('at 8:00 itself the next one is tomorrow', () => {
    assert.deepEqual(period(smart(), '2026-11-24T08:00:00Z'), [
      '2026-11-24T08:00:00.000Z',
      '2026-11-25T08:00:00.000Z',
    ]);
  });

  it('summer time: 8:00 is 07:00 UTC', () => {
    assert.deepEqual(period(smart(), '2026-07-01T20:00:00Z'), [
      '2026-07-01T20:00:00.000Z',
      '2026-07-02T07:00:00.000Z',
    ]);
  });

  it('the night the clocks go forward has 23 hours', () => {
    // Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST. Ready by Monday 8:00 BST.
    assert.deepEqual(period(smart({ repeat: [1] }), '2026-03-28T12:00:00Z'), [
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    const sunday = period(smart({ repeat: [0] }), '2026-03-28T07:00:00Z')!;
    assert.equal((at(sunday[1]!) - at(sunday[0]!)) / 3600, 23, 'Saturday 8:00 GMT to Sunday 8:00 BST');
  });

  it('a time the clocks skip is the first instant after it', () => {
    const local = { year: 2026, month: 3, day: 29, hour: 1, minute: 30, second: 0 };
    assert.equal(iso(zonedInstantS(local, LONDON)), '2026-03-29T01:30:00.000Z'); // 02:30 BST
    const autumn = { year: 2026, month: 10, day: 25, hour: 1, minute: 30, second: 0 };
    assert.equal(iso(zonedInstantS(autumn, LONDON)), '2026-10-25T00:30:00.000Z', 'the first of the two');
  });

  it('once: on its date only, none after it', () => {
    const once = smart({ repeat: [], onceDate: '2026-11-26' });
    assert.deepEqual(period(once, '2026-11-24T20:00:00Z'), [
      '2026-11-25T08:00:00.000Z',
      '2026-11-26T08:00:00.000Z',
    ]);
    assert.equal(period(once, '2026-11-26T09:00:00Z'), undefined);
  });

  it('another zone', () => {
    assert.deepEqual(period(smart({ readyBy: '07:30' }), '2026-11-24T20:00:00Z', 'Europe/Berlin'), [
      '2026-11-24T20:00:00.000Z',
      '2026-11-25T06:30:00.000Z',
    ]);
  });
});

describe('a schedule as a householder sets it', () => {
  it('takes the four modes and fills defaults', () => {
    const parsed = scheduleSchema.parse({
      mode: 'smart',
      smart: { readyBy: '08:00', runMinutes: 300, interruptible: true, repeat: [1, 2, 3, 4, 5] },
    });
    assert.deepEqual(parsed, { mode: 'smart', smart: smart() });
    assert.deepEqual(scheduleSchema.parse({ mode: 'off' }), { mode: 'off' });
  });

  it('refuses bad input with a message a person reads', () => {
    const issue = (value: unknown) => scheduleSchema.safeParse(value).error?.issues[0]?.message;
    assert.equal(issue({ mode: 'sometimes' }), 'mode must be one of on, off, smart, timer');
    assert.equal(
      issue({ mode: 'smart', smart: { readyBy: '8am', runMinutes: 60, interruptible: false, repeat: [1] } }),
      'readyBy must be a time of day such as "08:00"',
    );
    assert.equal(
      smartScheduleProblem(smart({ interruptible: false, minOnMinutes: 30 })),
      'minOnMinutes and minGapMinutes are for a schedule that may pause',
    );
    assert.equal(
      smartScheduleProblem(smart({ repeat: [] })),
      'a schedule that does not repeat needs onceDate',
    );
    assert.equal(
      smartScheduleProblem(smart({ minOnMinutes: 400 })),
      'minOnMinutes is longer than runMinutes',
    );
    assert.equal(smartScheduleProblem(smart()), undefined);
  });
});
