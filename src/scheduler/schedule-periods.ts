import { wallClock, wallSeconds, type WallClock } from '../shared/zoned-time.js';
import type { SmartSchedule } from './schedule.js';

// When a smart schedule's next period is (pure, IANA zone per instant: DST days have 23 or 25
// hours): it must have run by its next ready-by time, and may run from the ready-by before it
// (at most a day earlier) or from now, whichever is later.

export interface SchedulePeriod {
  /** Not before (epoch seconds). */
  fromS: number;
  /** The ready-by instant (epoch seconds). */
  readyByS: number;
  /** The ready-by a day before it (the period's own start; 23 or 25 h before on DST days). */
  previousS: number;
}

const DAY_S = 86_400;

/** The instant a local wall-clock time names; in a DST gap the first instant after it, when repeated the first. */
export function zonedInstantS(local: WallClock, timeZone: string): number {
  const wanted = wallSeconds(local);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const offsetS = wallSeconds(wallClock(guess, timeZone)) - guess;
    guess = wanted - offsetS;
  }
  // A time that does not exist (the hour skipped in spring) comes out an hour off: move forward.
  if (wallSeconds(wallClock(guess, timeZone)) !== wanted) return guess + 3600;
  // A time that comes twice (the hour repeated in autumn): the first.
  return wallSeconds(wallClock(guess - 3600, timeZone)) === wanted ? guess - 3600 : guess;
}

/** Ready-by instants on and after `nowS`'s local day, in order, for `days` days. */
function readyByInstants(s: SmartSchedule, nowS: number, timeZone: string, days: number): number[] {
  const [hour, minute] = s.readyBy.split(':').map(Number) as [number, number];
  const today = wallClock(nowS, timeZone);
  const out: number[] = [];
  for (let d = -1; d <= days; d++) {
    // Noon of that local day, stepped in whole days in UTC, then read back: DST-proof day stepping.
    const day = wallClock(
      zonedInstantS({ ...today, hour: 12, minute: 0, second: 0 }, timeZone) + d * DAY_S,
      timeZone,
    );
    const weekday = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
    const date = `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
    const applies = s.repeat.length > 0 ? s.repeat.includes(weekday) : s.onceDate === date;
    if (applies) out.push(zonedInstantS({ ...day, hour, minute, second: 0 }, timeZone));
  }
  return out;
}

/**
 * The period to plan at `nowS`: the first ready-by after now, from max(now, the ready-by a day
 * before it). Undefined when none comes within a week (a once-schedule in the past).
 */
export function nextPeriod(s: SmartSchedule, nowS: number, timeZone: string): SchedulePeriod | undefined {
  const readyByS = readyByInstants(s, nowS, timeZone, 8).find((t) => t > nowS);
  if (readyByS === undefined) return undefined;
  const dayBefore = wallClock(readyByS, timeZone);
  const previousS = zonedInstantS(
    { ...wallClock(readyByS - DAY_S, timeZone), hour: dayBefore.hour, minute: dayBefore.minute, second: 0 },
    timeZone,
  );
  return { fromS: Math.max(nowS, previousS), readyByS, previousS };
}
