import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScheduleJson } from '../../../src/api/contract.js';
import { scheduleSchema, smartScheduleProblem } from '../../../src/scheduler/schedule.js';
import { routeOf } from '../../../ui/src/routes.js';
import {
  formFromSchedule,
  scheduleFromForm,
  toggleDay,
  WEEKDAYS_MONDAY_FIRST,
  type ScheduleForm,
} from '../../../ui/src/schedule-model.js';

const TODAY = '2026-11-28';
const smart = (over: Partial<Extract<ScheduleJson, { mode: 'smart' }>['smart']> = {}): ScheduleJson => ({
  mode: 'smart',
  smart: {
    readyBy: '08:00',
    runMinutes: 150,
    interruptible: true,
    minOnMinutes: 20,
    minGapMinutes: 10,
    repeat: [1, 2, 3, 4, 5],
    onceDate: null,
    energyKWh: null,
    rangeKm: null,
    whPerKm: 170,
    ...over,
  },
});
const form = (over: Partial<ScheduleForm> = {}): ScheduleForm => ({
  ...formFromSchedule(null, TODAY),
  ...over,
});

/** The hub's own check (one schema and its extra rules) accepts what the form sends. */
function hubAccepts(schedule: ScheduleJson): void {
  const parsed = scheduleSchema.safeParse(schedule);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  if (parsed.data.mode === 'smart') assert.equal(smartScheduleProblem(parsed.data.smart), undefined);
}

describe('the schedule form and ScheduleJson', () => {
  const cases: [string, ScheduleJson, boolean][] = [
    ['a weekday smart schedule that may pause', smart(), false],
    [
      'a one-block schedule once on a date',
      smart({ interruptible: false, minOnMinutes: 0, minGapMinutes: 0, repeat: [], onceDate: '2026-12-24' }),
      false,
    ],
    [
      'a charger wanting 30 kWh every day',
      smart({
        interruptible: false,
        minOnMinutes: 0,
        minGapMinutes: 0,
        repeat: [0, 1, 2, 3, 4, 5, 6],
        energyKWh: 30,
      }),
      true,
    ],
    [
      'a charger wanting 150 km by Monday 07:00, at 160 Wh/km',
      smart({
        interruptible: false,
        minOnMinutes: 0,
        minGapMinutes: 0,
        repeat: [1],
        rangeKm: 150,
        whPerKm: 160,
      }),
      true,
    ],
    [
      'a timer on two periods at weekends',
      {
        mode: 'timer',
        timer: {
          periods: [
            { start: '00:30', stop: '04:30' },
            { start: '13:00', stop: '15:00' },
          ],
          repeat: [0, 6],
        },
      },
      false,
    ],
    ['always on', { mode: 'on' }, false],
    ['always off', { mode: 'off' }, false],
  ];
  for (const [name, schedule, isCharger] of cases)
    it(`${name}: form and back give the same schedule, which the hub accepts`, () => {
      const back = scheduleFromForm(formFromSchedule(schedule, TODAY), isCharger);
      assert.deepEqual(back, { schedule });
      hubAccepts(schedule);
    });

  it('no schedule is manual, and manual sends none (back to switching by hand)', () => {
    const f = formFromSchedule(null, TODAY);
    assert.equal(f.mode, 'manual');
    assert.deepEqual(scheduleFromForm(f, false), { schedule: null });
  });

  it('smart from the defaults: ready by 07:00, 2 h, one block, Monday to Friday', () => {
    const made = scheduleFromForm(form({ mode: 'smart' }), false);
    const expected: ScheduleJson = {
      mode: 'smart',
      smart: {
        readyBy: '07:00',
        runMinutes: 120,
        interruptible: false,
        minOnMinutes: 0,
        minGapMinutes: 0,
        repeat: [1, 2, 3, 4, 5],
        onceDate: null,
        energyKWh: null,
        rangeKm: null,
        whPerKm: 170,
      },
    };
    assert.deepEqual(made, { schedule: expected });
    hubAccepts(expected);
  });

  it('min on and min gap are sent only when it may pause (the hub refuses them otherwise)', () => {
    const made = scheduleFromForm(
      form({ mode: 'smart', interruptible: false, minOnMinutes: '30', minGapMinutes: '15' }),
      false,
    );
    assert.ok('schedule' in made && made.schedule?.mode === 'smart');
    assert.deepEqual([made.schedule.smart.minOnMinutes, made.schedule.smart.minGapMinutes], [0, 0]);
    hubAccepts(made.schedule);
  });

  it('energy is sent for a charger only', () => {
    const made = scheduleFromForm(form({ mode: 'smart', energyKWh: '12,5' }), false);
    assert.ok('schedule' in made && made.schedule?.mode === 'smart');
    assert.equal(made.schedule.smart.energyKWh, null);
    const charger = scheduleFromForm(form({ mode: 'smart', energyKWh: '12,5' }), true);
    assert.ok('schedule' in charger && charger.schedule?.mode === 'smart');
    assert.equal(charger.schedule.smart.energyKWh, 12.5);
  });

  const problems: [string, Partial<ScheduleForm>, string][] = [
    ['no run time', { runHours: '0', runMinutes: '0' }, 'runTime'],
    ['a run time of 25 h', { runHours: '25', runMinutes: '0' }, 'runTime'],
    ['a run time that is not a number', { runHours: '1.5' }, 'runTime'],
    ['a ready-by time that is not one', { readyBy: '' }, 'readyBy'],
    ['no weekday and not once', { repeat: [] }, 'days'],
    ['once without a date', { once: true, onceDate: '' }, 'onceDate'],
    ['a shortest run longer than the run', { interruptible: true, minOnMinutes: '180' }, 'minOnLonger'],
    ['a pause of 13 h', { interruptible: true, minGapMinutes: '780' }, 'minutes'],
  ];
  for (const [name, over, problem] of problems)
    it(`says what is wrong: ${name}`, () => {
      assert.deepEqual(scheduleFromForm(form({ mode: 'smart', ...over }), false), { problem });
    });

  it('refuses a charger energy of 0 or more than 200 kWh', () => {
    for (const energyKWh of ['0', '201', 'lots'])
      assert.deepEqual(scheduleFromForm(form({ mode: 'smart', energyKWh }), true), { problem: 'energy' });
  });

  it('refuses a range of 0, over 1000 km, a use outside 50–500 Wh/km, or a range with an energy', () => {
    for (const over of [{ rangeKm: '0' }, { rangeKm: '1001' }, { rangeKm: '100', whPerKm: '20' }])
      assert.deepEqual(scheduleFromForm(form({ mode: 'smart', ...over }), true), { problem: 'range' });
    assert.deepEqual(scheduleFromForm(form({ mode: 'smart', rangeKm: '100', energyKWh: '10' }), true), {
      problem: 'energyAndRange',
    });
  });

  it('refuses a timer period that starts when it stops, or a timer with no day', () => {
    assert.deepEqual(
      scheduleFromForm(form({ mode: 'timer', periods: [{ start: '10:00', stop: '10:00' }] }), false),
      { problem: 'periods' },
    );
    assert.deepEqual(scheduleFromForm(form({ mode: 'timer', timerRepeat: [] }), false), { problem: 'days' });
  });

  it('weekday chips run Monday first, as an alarm clock, and toggle in and out in order', () => {
    assert.deepEqual([...WEEKDAYS_MONDAY_FIRST], [1, 2, 3, 4, 5, 6, 0]);
    assert.deepEqual(toggleDay([1, 5], 0), [0, 1, 5]);
    assert.deepEqual(toggleDay([0, 1, 5], 1), [0, 5]);
  });

  it('the Community page is a route for everyone', () => {
    assert.deepEqual(routeOf('#/community', false), { route: 'community' });
    assert.deepEqual(routeOf('#/community/3', true), { route: 'dashboard' });
  });
});
