// Calendar buckets in an IANA timezone, DST-correct (a local day has 23, 24 or 25 hours), with
// emoncms's rules: start at local midnight of the start date; weekly moves forward to the Monday
// on or after it (PHP "this monday"); monthly to the 1st; annual to 1 January.

import { wallClock, zoneOffsetS } from '../shared/zoned-time.js';

export const CALENDAR_UNITS = ['daily', 'weekly', 'monthly', 'annual'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

/**
 * The instant of local midnight starting a date. Where midnight does not exist (a DST jump at
 * 00:00), the first instant of that day, as PHP's modify("midnight") gives.
 */
export function localMidnightS(date: LocalDate, timeZone: string): number {
  const wallS = Date.UTC(date.year, date.month - 1, date.day) / 1000;
  let guess = wallS - zoneOffsetS(wallS, timeZone);
  guess = wallS - zoneOffsetS(guess, timeZone);
  const f = wallClock(guess, timeZone);
  if (f.day !== date.day) {
    // Midnight fell into a gap: the guess is still on the day before, under the old offset;
    // wall time read with that old offset is the instant the clocks jump and the day begins.
    guess = wallS - zoneOffsetS(guess, timeZone);
  }
  return guess;
}

/** Local midnight starting the day of an instant (emoncms's getstartday). */
export function startOfLocalDayS(tsS: number, timeZone: string): number {
  const { year, month, day } = wallClock(tsS, timeZone);
  return localMidnightS({ year, month, day }, timeZone);
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function firstBucket(tsS: number, unit: CalendarUnit, timeZone: string): LocalDate {
  const f = wallClock(tsS, timeZone);
  const date = { year: f.year, month: f.month, day: f.day };
  switch (unit) {
    case 'daily':
      return date;
    case 'weekly': {
      const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay(); // 0 = Sunday
      return addDays(date, (8 - weekday) % 7);
    }
    case 'monthly':
      return { ...date, day: 1 };
    case 'annual':
      return { year: date.year, month: 1, day: 1 };
  }
}

function nextBucket(date: LocalDate, unit: CalendarUnit): LocalDate {
  switch (unit) {
    case 'daily':
      return addDays(date, 1);
    case 'weekly':
      return addDays(date, 7);
    case 'monthly':
      return date.month === 12
        ? { year: date.year + 1, month: 1, day: 1 }
        : { ...date, month: date.month + 1 };
    case 'annual':
      return { year: date.year + 1, month: 1, day: 1 };
  }
}

/**
 * Bucket start instants from the first bucket at or after `startS`'s local date up to `endS`
 * (inclusive, as emoncms loops `while time <= end`), plus the end of the last bucket.
 */
export function calendarBoundaries(
  startS: number,
  endS: number,
  unit: CalendarUnit,
  timeZone: string,
): number[] {
  const out: number[] = [];
  let date = firstBucket(startS, unit, timeZone);
  let tsS = localMidnightS(date, timeZone);
  while (tsS <= endS) {
    out.push(tsS);
    date = nextBucket(date, unit);
    tsS = localMidnightS(date, timeZone);
  }
  out.push(tsS);
  return out;
}
