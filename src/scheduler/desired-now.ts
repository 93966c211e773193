import { wallClock } from '../shared/zoned-time.js';
import type { PlannedInterval } from './plan-types.js';
import type { Schedule } from './schedule.js';

// Whether a schedule wants its device on now (pure): on and off always; a timer by its periods
// in the hub's zone; a smart schedule by its plan. null: it has no say (nothing planned yet).

const minuteOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function desiredOn(
  schedule: Schedule,
  planned: readonly PlannedInterval[] | undefined,
  nowS: number,
  timeZone: string,
): boolean | null {
  switch (schedule.mode) {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'timer': {
      const w = wallClock(nowS, timeZone);
      const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
      const minute = w.hour * 60 + w.minute;
      return schedule.timer.periods.some(({ start, stop }) => {
        const [from, to] = [minuteOf(start), minuteOf(stop)];
        // A period over midnight belongs to the day it starts on.
        if (from <= to) return schedule.timer.repeat.includes(weekday) && minute >= from && minute < to;
        const yesterday = (weekday + 6) % 7;
        return (
          (schedule.timer.repeat.includes(weekday) && minute >= from) ||
          (schedule.timer.repeat.includes(yesterday) && minute < to)
        );
      });
    }
    case 'smart':
      if (planned === undefined) return null;
      return planned.some((i) => nowS >= i.startS && nowS < i.endS);
  }
}
