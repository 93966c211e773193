// Whether a signal can be trusted now, and if not, why, in words the app shows as they are
// ("no day-ahead profile since 18:00 yesterday"): a missing or stale signal is never hidden behind
// a flat one (emoncms's demandshaper did that). Pure.
import { wallClock } from '../shared/zoned-time.js';
import { signalEndS, type Signal } from './signal.js';

export interface SignalEntry {
  name: string;
  /** What is expected, for the words: "day-ahead profile", "Agile prices from …". */
  what: string;
  signal: Signal | undefined;
  /** Older than this since it was received, it is stale. */
  ttlS: number;
  /** Why the last attempt to get it failed (fetch error, refused payload), if it did. */
  lastError?: string;
}

export interface Freshness {
  stale: boolean;
  why?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "18:00 today", "18:00 yesterday", "18:00 on 2026-11-25" in the zone. */
export function describeTime(tsS: number, nowS: number, timeZone: string): string {
  const at = wallClock(tsS, timeZone);
  const now = wallClock(nowS, timeZone);
  const hhmm = `${pad(at.hour)}:${pad(at.minute)}`;
  const dayNumber = (w: { year: number; month: number; day: number }) =>
    Date.UTC(w.year, w.month - 1, w.day) / 86_400_000;
  const days = dayNumber(now) - dayNumber(at);
  if (days === 0) return `${hhmm} today`;
  if (days === 1) return `${hhmm} yesterday`;
  if (days === -1) return `${hhmm} tomorrow`;
  return `${hhmm} on ${at.year}-${pad(at.month)}-${pad(at.day)}`;
}

export function freshnessOf(entry: SignalEntry, nowS: number, timeZone: string): Freshness {
  const failed = entry.lastError ? ` (last attempt: ${entry.lastError})` : '';
  const s = entry.signal;
  if (!s) return { stale: true, why: `no ${entry.what} yet${failed}` };
  const endS = signalEndS(s);
  if (endS <= nowS)
    return { stale: true, why: `the ${entry.what} ended at ${describeTime(endS, nowS, timeZone)}${failed}` };
  if (nowS - s.receivedAtS > entry.ttlS)
    return {
      stale: true,
      why: `no ${entry.what} since ${describeTime(s.receivedAtS, nowS, timeZone)}${failed}`,
    };
  return { stale: false };
}
