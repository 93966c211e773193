import type { ScheduleJson } from '../../src/api/contract.js';

// The schedule editor's form and the ScheduleJson the hub stores (docs/demand-shaper.md), both
// ways, without the DOM: the form holds what the inputs show (strings), the hub the numbers.

/** `manual`: no schedule (switched by hand only; DELETE). */
export type FormMode = 'manual' | ScheduleJson['mode'];

export interface TimerPeriodForm {
  start: string;
  stop: string;
}

export interface ScheduleForm {
  mode: FormMode;
  readyBy: string;
  runHours: string;
  runMinutes: string;
  interruptible: boolean;
  minOnMinutes: string;
  minGapMinutes: string;
  /** Weekdays 0 (Sunday)..6 it repeats on. */
  repeat: number[];
  /** Once, on onceDate, instead of repeating. */
  once: boolean;
  onceDate: string;
  /** Chargers: kWh wanted by ready-by; empty for none. */
  energyKWh: string;
  /** Chargers, instead of energy: km of range wanted by ready-by, at whPerKm. */
  rangeKm: string;
  whPerKm: string;
  /** Its draw when on (W), until the hub has measured one; empty for not given. */
  powerW: string;
  periods: TimerPeriodForm[];
  timerRepeat: number[];
}

/** Weekdays as an alarm clock shows them (en-GB and cy weeks start on Monday). */
export const WEEKDAYS_MONDAY_FIRST = [1, 2, 3, 4, 5, 6, 0] as const;
export const MAX_TIMER_PERIODS = 4;

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];
const WEEKDAYS = [1, 2, 3, 4, 5];

/** What is wrong with a form before it is sent (the hub checks again and has the last word). */
export type FormProblem =
  | 'readyBy'
  | 'runTime'
  | 'minutes'
  | 'energy'
  | 'range'
  | 'energyAndRange'
  | 'power'
  | 'days'
  | 'onceDate'
  | 'minOnLonger'
  | 'periods';

/** The form for a stored schedule; none (null) shows manual with a weekday smart default. */
export function formFromSchedule(schedule: ScheduleJson | null, todayIso: string): ScheduleForm {
  const form: ScheduleForm = {
    mode: schedule?.mode ?? 'manual',
    readyBy: '07:00',
    runHours: '2',
    runMinutes: '0',
    interruptible: false,
    minOnMinutes: '0',
    minGapMinutes: '0',
    repeat: [...WEEKDAYS],
    once: false,
    onceDate: todayIso,
    energyKWh: '',
    rangeKm: '',
    whPerKm: String(DEFAULT_WH_PER_KM),
    powerW: '',
    periods: [{ start: '00:30', stop: '04:30' }],
    timerRepeat: [...EVERY_DAY],
  };
  if (schedule?.mode === 'smart') {
    const s = schedule.smart;
    Object.assign(form, {
      readyBy: s.readyBy,
      runHours: String(Math.floor(s.runMinutes / 60)),
      runMinutes: String(s.runMinutes % 60),
      interruptible: s.interruptible,
      minOnMinutes: String(s.minOnMinutes),
      minGapMinutes: String(s.minGapMinutes),
      repeat: s.repeat.length > 0 ? sortDays(s.repeat) : form.repeat,
      once: s.repeat.length === 0,
      onceDate: s.onceDate ?? todayIso,
      energyKWh: s.energyKWh === null ? '' : String(s.energyKWh),
      rangeKm: s.rangeKm === null ? '' : String(s.rangeKm),
      whPerKm: String(s.whPerKm),
      powerW: s.powerW == null ? '' : String(s.powerW),
    });
  }
  if (schedule?.mode === 'timer') {
    form.periods = schedule.timer.periods.map((p) => ({ ...p }));
    form.timerRepeat = sortDays(schedule.timer.repeat);
  }
  return form;
}

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A whole number ≥ 0 from an input ('' is 0), or undefined. */
function whole(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  return /^\d{1,5}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** The schedule to send; null means back to manual; or what is wrong. */
export function scheduleFromForm(
  form: ScheduleForm,
  isCharger: boolean,
): { schedule: ScheduleJson | null } | { problem: FormProblem } {
  switch (form.mode) {
    case 'manual':
      return { schedule: null };
    case 'on':
    case 'off':
      return { schedule: { mode: form.mode } };
    case 'timer': {
      const ok = form.periods.every((p) => TIME.test(p.start) && TIME.test(p.stop) && p.start !== p.stop);
      if (!ok || form.periods.length === 0 || form.periods.length > MAX_TIMER_PERIODS)
        return { problem: 'periods' };
      if (form.timerRepeat.length === 0) return { problem: 'days' };
      const periods = form.periods.map((p) => ({ start: p.start, stop: p.stop }));
      return { schedule: { mode: 'timer', timer: { periods, repeat: sortDays(form.timerRepeat) } } };
    }
    case 'smart':
      return smartFromForm(form, isCharger);
  }
}

function smartFromForm(
  form: ScheduleForm,
  isCharger: boolean,
): { schedule: ScheduleJson } | { problem: FormProblem } {
  if (!TIME.test(form.readyBy)) return { problem: 'readyBy' };
  const hours = whole(form.runHours);
  const mins = whole(form.runMinutes);
  if (hours === undefined || mins === undefined) return { problem: 'runTime' };
  const runMinutes = hours * 60 + mins;
  if (runMinutes <= 0 || runMinutes > 24 * 60) return { problem: 'runTime' };
  const minOn = form.interruptible ? whole(form.minOnMinutes) : 0;
  const minGap = form.interruptible ? whole(form.minGapMinutes) : 0;
  if (minOn === undefined || minGap === undefined || minOn > 720 || minGap > 720)
    return { problem: 'minutes' };
  if (minOn > runMinutes) return { problem: 'minOnLonger' };
  let energyKWh: number | null = null;
  if (isCharger && form.energyKWh.trim() !== '') {
    energyKWh = Number(form.energyKWh.trim().replace(',', '.'));
    if (!Number.isFinite(energyKWh) || energyKWh <= 0 || energyKWh > 200) return { problem: 'energy' };
  }
  let rangeKm: number | null = null;
  let whPerKm = DEFAULT_WH_PER_KM;
  if (isCharger && form.rangeKm.trim() !== '') {
    if (energyKWh !== null) return { problem: 'energyAndRange' };
    rangeKm = decimal(form.rangeKm);
    whPerKm = form.whPerKm.trim() === '' ? DEFAULT_WH_PER_KM : decimal(form.whPerKm);
    if (!Number.isFinite(rangeKm) || rangeKm <= 0 || rangeKm > 1000) return { problem: 'range' };
    if (!Number.isFinite(whPerKm) || whPerKm < 50 || whPerKm > 500) return { problem: 'range' };
  }
  let powerW: number | null = null;
  if (form.powerW.trim() !== '') {
    powerW = whole(form.powerW) ?? Number.NaN;
    if (!(powerW > 0 && powerW <= 100_000)) return { problem: 'power' };
  }
  if (form.once && !DATE.test(form.onceDate)) return { problem: 'onceDate' };
  if (!form.once && form.repeat.length === 0) return { problem: 'days' };
  return {
    schedule: {
      mode: 'smart',
      smart: {
        readyBy: form.readyBy,
        runMinutes,
        interruptible: form.interruptible,
        minOnMinutes: minOn,
        minGapMinutes: minGap,
        repeat: form.once ? [] : sortDays(form.repeat),
        onceDate: form.once ? form.onceDate : null,
        energyKWh,
        rangeKm,
        whPerKm,
        // Sent only when given, as the hub stores none by default.
        ...(powerW === null ? {} : { powerW }),
      },
    },
  };
}

/** The schedule's default use of a car per km (src/scheduler/schedule.ts has the same). */
export const DEFAULT_WH_PER_KM = 170;

const decimal = (text: string) => Number(text.trim().replace(',', '.'));

/** A weekday chip pressed: added or taken away. */
export function toggleDay(days: readonly number[], day: number): number[] {
  return days.includes(day) ? days.filter((d) => d !== day) : sortDays([...days, day]);
}

const sortDays = (days: readonly number[]) => [...new Set(days)].sort((a, b) => a - b);
