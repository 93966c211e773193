// "This week so far vs last week" and "this month so far vs the same month last year": the
// periods (local days in the hub's timezone, DST-safe) and the change between two periods. Pure.

import { wallClock } from '../shared/zoned-time.js';
import { localMidnightS, startOfLocalDayS } from '../timeseries/calendar.js';

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

/** From local midnight of the first day to the same time into the last day as now is into today. */
export interface ComparedPeriod {
  startS: number;
  endS: number;
  /** Calendar days the period touches (today counts). */
  days: number;
}

export interface ComparedPeriods {
  current: ComparedPeriod;
  previous: ComparedPeriod;
}

const addDays = (d: LocalDate, days: number): LocalDate => {
  const x = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() };
};
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const dayNumber = (d: LocalDate) => Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;

/**
 * `first` to `last` inclusive, the last day only up to `elapsedS` after its midnight (capped at
 * that day's length, so a 23-hour day never runs into the next).
 */
function period(first: LocalDate, last: LocalDate, elapsedS: number, timeZone: string): ComparedPeriod {
  const lastStartS = localMidnightS(last, timeZone);
  const nextS = localMidnightS(addDays(last, 1), timeZone);
  return {
    startS: localMidnightS(first, timeZone),
    endS: Math.min(nextS, lastStartS + elapsedS),
    days: dayNumber(last) - dayNumber(first) + 1,
  };
}

function today(nowS: number, timeZone: string): { date: LocalDate; elapsedS: number } {
  const { year, month, day } = wallClock(nowS, timeZone);
  return { date: { year, month, day }, elapsedS: nowS - startOfLocalDayS(nowS, timeZone) };
}

/** This week from Monday (en-GB and cy weeks) to now, and the same days and time last week. */
export function weekPeriods(nowS: number, timeZone: string): ComparedPeriods {
  const { date, elapsedS } = today(nowS, timeZone);
  const fromMonday = (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
  const monday = addDays(date, -fromMonday);
  return {
    current: period(monday, date, elapsedS, timeZone),
    previous: period(addDays(monday, -7), addDays(date, -7), elapsedS, timeZone),
  };
}

/**
 * This month from the 1st to now, and the same dates and time of the month a year before; the
 * 29th of February maps to the 28th (that month has one day fewer).
 */
export function monthPeriods(nowS: number, timeZone: string): ComparedPeriods {
  const { date, elapsedS } = today(nowS, timeZone);
  const year = date.year - 1;
  const last = { year, month: date.month, day: Math.min(date.day, daysInMonth(year, date.month)) };
  return {
    current: period({ ...date, day: 1 }, date, elapsedS, timeZone),
    previous: period({ ...last, day: 1 }, last, elapsedS, timeZone),
  };
}

export interface ComparedFigures {
  /** House use. */
  energyKWh: number;
  /** Imported energy's cost, VAT included; no standing charge, no export credit. */
  importCostMinor: number;
}

export interface FiguresChange {
  /** current − previous */
  energyKWh: number;
  /** The change as a percentage of the previous period; null when that was 0. */
  energyPercent: number | null;
  importCostMinor: number;
  importCostPercent: number | null;
}

const percent = (now: number, before: number) => (before === 0 ? null : ((now - before) / before) * 100);

/** How the current period differs from the previous one. */
export function changeOf(current: ComparedFigures, previous: ComparedFigures): FiguresChange {
  return {
    energyKWh: current.energyKWh - previous.energyKWh,
    energyPercent: percent(current.energyKWh, previous.energyKWh),
    importCostMinor: current.importCostMinor - previous.importCostMinor,
    importCostPercent: percent(current.importCostMinor, previous.importCostMinor),
  };
}
