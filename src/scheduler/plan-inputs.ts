import { wallClock } from '../shared/zoned-time.js';
import type { PlanSchedule, PlanSignal, ScheduleProgress } from './plan-types.js';
import { zonedInstantS } from './schedule-periods.js';

// What the plan runner puts into and around a plan (pure): when a plan waits for the next
// profile, the stand-in without a signal, a signal's identity, the end of the local day.

/** The signal the household optimises for, as the signals capability gives it. */
export interface RunnerSignal extends PlanSignal {
  unit: string;
  source: string;
  receivedAtS: number;
}

/**
 * A period that runs past the signal's end is not started in the known hours while it could
 * still be done after the end: tomorrow's profile comes first (it is what the plan is for).
 * Those plans wait (they start no earlier than the end; tentative, on the unknown hours).
 */
export function awaitNextProfile(
  smart: { id: number; planned: PlanSchedule }[],
  progress: ReadonlyMap<string, ScheduleProgress>,
  signal: RunnerSignal,
): Set<number> {
  const endS = signal.startS + signal.values.length * signal.intervalS;
  const waiting = new Set<number>();
  for (const { id, planned } of smart) {
    const done = progress.get(planned.deviceId);
    const leftS = planned.runS - (done?.ranS ?? 0);
    if (done?.runningSinceS != null || planned.readyByS <= endS || planned.readyByS - leftS < endS) continue;
    planned.earliestS = Math.max(planned.earliestS, endS);
    waiting.add(id);
  }
  return waiting;
}

/** The next local midnight after `nowMs` (DST days included). */
export function endOfLocalDayMs(nowMs: number, timeZone: string): number {
  const today = wallClock(nowMs / 1000, timeZone);
  const noon = zonedInstantS({ ...today, hour: 12, minute: 0, second: 0 }, timeZone);
  const tomorrow = wallClock(noon + 86_400, timeZone);
  return zonedInstantS({ ...tomorrow, hour: 0, minute: 0, second: 0 }, timeZone) * 1000;
}

/**
 * What makes a signal new: its source and when it was received. Not its start (served from the
 * current slot, it moves every slot), and not the tariff's receivedAtS (it is the time asked for):
 * a tariff edit is planned at the next periodic plan.
 */
export const keyOf = (s: RunnerSignal | null) =>
  s ? `${s.source}@${s.source === 'tariff' ? '' : s.receivedAtS}` : '';

/** Without a signal: rising values, so the cheapest time is the earliest: it runs as soon as it may. */
export function flatSignal(nowS: number): PlanSignal {
  const hours = 49;
  return {
    startS: nowS - (nowS % 3600),
    intervalS: 3600,
    values: Array.from({ length: hours }, (_, i) => i),
    optimise: 'min',
  };
}
