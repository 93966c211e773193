// emoncms's process functions, one per id (facts: reference/emoncms.md §2.6 and emoncms's
// Modules/process/process_processlist.php). Each takes (arg, time, value) and the context.
import { startOfLocalDayS } from '../timeseries/calendar.js';
import type { ProcessContext, StepOutcome } from './process-types.js';

type Fn = (
  arg: number | string | undefined,
  timeS: number,
  value: number | null,
  ctx: ProcessContext,
  initial: number | null,
) => StepOutcome;

/** Monitoring gaps of 2 h or more add no energy (emoncms). */
const MAX_GAP_S = 7200;
/** Counter steps implying more than 60 kW are spikes or resets, not energy (wh/kwh_accumulator). */
const MAX_POWER_W = 60_000;

const num = (arg: number | string | undefined) => Number(arg);
const pass = (value: number | null): StepOutcome => ({ value });
const skipIf = (cond: boolean, value: number | null): StepOutcome =>
  cond ? { value, skipNext: true } : { value };
/** PHP compares null as 0 in `<`/`>`/`==` against numbers. */
const n0 = (value: number | null) => value ?? 0;

/** The feed's last arrival, null time and value read as PHP's `null * 1` = 0. */
function last(ctx: ProcessContext, feedId: number): { timeS: number; value: number } {
  const tv = ctx.feedLast(feedId);
  return { timeS: tv?.timeS ?? 0, value: tv?.value ?? 0 };
}

function otherInput(
  ctx: ProcessContext,
  arg: number | string | undefined,
  value: number | null,
  op: (a: number, b: number) => number | null,
): StepOutcome {
  const other = ctx.inputValue(num(arg));
  return { value: value === null || other === null ? null : op(value, other) };
}

const logToFeed =
  (join: boolean): Fn =>
  (arg, timeS, value, ctx) => {
    ctx.postToFeed(num(arg), timeS, value, join);
    return pass(value);
  };

const powerToKwh: Fn = (arg, timeS, value, ctx) => {
  if (value === null) return pass(null);
  const feedId = num(arg);
  const prev = last(ctx, feedId);
  const elapsedS = timeS - (prev.timeS || timeS);
  const kwh = elapsedS > 0 && elapsedS < MAX_GAP_S ? prev.value + (elapsedS * value) / 3_600_000 : prev.value;
  ctx.postToFeed(feedId, timeS, kwh, true);
  return pass(value);
};

const powerToKwhd: Fn = (arg, timeS, value, ctx) => {
  if (value === null) return pass(null);
  const feedId = num(arg);
  const prev = last(ctx, feedId);
  const prevTimeS = prev.timeS || timeS;
  const elapsedS = timeS - prevTimeS;
  const incKwh = elapsedS > 0 && elapsedS < MAX_GAP_S ? (elapsedS * value) / 3_600_000 : 0;
  const dayS = startOfLocalDayS(timeS, ctx.timeZone);
  const sameDay = startOfLocalDayS(prevTimeS, ctx.timeZone) === dayS;
  // Posted at the day's midnight, but the arrival time is now (the next increment's start).
  ctx.postToFeed(feedId, timeS, sameDay ? prev.value + incKwh : incKwh, false, dayS);
  return pass(value);
};

const inputOntime: Fn = (arg, timeS, value, ctx) => {
  const feedId = num(arg);
  const prev = last(ctx, feedId);
  const dayS = startOfLocalDayS(timeS, ctx.timeZone);
  let elapsedS = 0;
  let ontimeS = prev.value;
  if (n0(value) > 0 && timeS - prev.timeS < MAX_GAP_S) {
    elapsedS = timeS - prev.timeS;
    ontimeS += elapsedS;
  }
  if (startOfLocalDayS(prev.timeS, ctx.timeZone) !== dayS) ontimeS = elapsedS;
  ctx.postToFeed(feedId, timeS, ontimeS, false, dayS);
  return pass(value);
};

const accumulator: Fn = (arg, timeS, value, ctx) => {
  if (value === null) return pass(null);
  const total = last(ctx, num(arg)).value + value;
  ctx.postToFeed(num(arg), timeS, total, true);
  return pass(total);
};

/** Counter → running total that ignores resets and spikes (kind "wh" or "kwh"). */
const counterAccumulator =
  (stateName: string, secondsPerUnit: number): Fn =>
  (arg, timeS, value, ctx) => {
    const feedId = num(arg);
    const key = `${stateName}:${feedId}`;
    const prevInput = ctx.getState(key);
    let total = value;
    if (prevInput) {
      const prev = last(ctx, feedId);
      total = prev.value;
      const dtS = timeS - prev.timeS;
      const dv = n0(value) - n0(prevInput.value);
      if (dtS > 0 && dv > 0 && (dv * secondsPerUnit) / dtS < MAX_POWER_W) total += dv;
      ctx.postToFeed(feedId, timeS, total, true);
    }
    ctx.setState(key, { timeS, value });
    return pass(total);
  };

const kwhToPower: Fn = (arg, timeS, value, ctx) => {
  const feedId = num(arg);
  const key = `kwhtopower:${feedId}`;
  const prev = ctx.getState(key);
  let powerW = 0;
  if (prev) {
    const dtS = timeS - prev.timeS;
    if (dtS > 0) {
      powerW = ((n0(value) - n0(prev.value)) * 3_600_000) / dtS;
      ctx.postToFeed(feedId, timeS, powerW, false);
    }
  }
  ctx.setState(key, { timeS, value });
  return pass(powerW);
};

/** Daily max/min: a new day starts from the first value, then only a new extreme is posted. */
const dailyExtreme =
  (better: (a: number, b: number) => boolean): Fn =>
  (arg, timeS, value, ctx) => {
    const feedId = num(arg);
    const prev = ctx.feedLast(feedId);
    const dayS = startOfLocalDayS(timeS, ctx.timeZone);
    const newDay = startOfLocalDayS(prev?.timeS ?? 0, ctx.timeZone) !== dayS;
    if (newDay || better(n0(value), prev?.value ?? 0)) ctx.postToFeed(feedId, timeS, value, false, dayS);
    return pass(value);
  };

export const PROCESS_FUNCTIONS: ReadonlyMap<number, Fn> = new Map<number, Fn>([
  [1, logToFeed(false)],
  [2, (arg, _t, v) => pass(v === null ? null : v * num(arg))],
  [3, (arg, _t, v) => pass(v === null ? null : v + num(arg))],
  [4, powerToKwh],
  [5, powerToKwhd],
  [6, (arg, _t, v, ctx) => otherInput(ctx, arg, v, (a, b) => a * b)],
  [7, inputOntime],
  [11, (arg, _t, v, ctx) => otherInput(ctx, arg, v, (a, b) => a + b)],
  [12, (arg, _t, v, ctx) => otherInput(ctx, arg, v, (a, b) => (b > 0 ? a / b : null))],
  [14, accumulator],
  [21, kwhToPower],
  [22, (arg, _t, v, ctx) => otherInput(ctx, arg, v, (a, b) => a - b)],
  [24, (_a, _t, v) => pass(n0(v) < 0 ? 0 : v)],
  [25, (_a, _t, v) => pass(n0(v) > 0 ? 0 : v)],
  [26, (_a, _t, v) => pass(n0(v) < 0 ? n0(v) + 65536 : v)],
  [27, dailyExtreme((a, b) => a > b)],
  [28, dailyExtreme((a, b) => a < b)],
  [33, () => pass(0)],
  [34, counterAccumulator('whacc', 3600)],
  [
    35,
    (arg, _t, v, ctx) => {
      ctx.publish(String(arg), v);
      return pass(v);
    },
  ],
  [36, () => pass(null)],
  [37, (_a, _t, _v, _ctx, initial) => pass(initial)],
  [42, (_a, _t, v) => skipIf(n0(v) === 0, v)],
  [43, (_a, _t, v) => skipIf(n0(v) !== 0, v)],
  [44, (_a, _t, v) => skipIf(v === null, v)],
  [45, (_a, _t, v) => skipIf(v !== null, v)],
  [46, (arg, _t, v) => skipIf(n0(v) > num(arg), v)],
  [47, (arg, _t, v) => skipIf(n0(v) >= num(arg), v)],
  [48, (arg, _t, v) => skipIf(n0(v) < num(arg), v)],
  [49, (arg, _t, v) => skipIf(n0(v) <= num(arg), v)],
  [50, (arg, _t, v) => skipIf(n0(v) === num(arg), v)],
  [51, (arg, _t, v) => skipIf(n0(v) !== num(arg), v)],
  // emoncms sets the loop index to arg − 2 (at least 0) before its ++: step numbers count from 1.
  [52, (arg, _t, v) => ({ value: v, goto: Math.max(0, num(arg) - 2) + 1 })],
  [61, (arg, _t, v) => pass(n0(v) > num(arg) ? num(arg) : v)],
  [62, (arg, _t, v) => pass(n0(v) < num(arg) ? num(arg) : v)],
  [63, (_a, _t, v) => pass(Math.abs(n0(v)))],
  [64, counterAccumulator('kwhacc', 3_600_000)],
  [65, logToFeed(true)],
]);
