import { alignToGrid, MAX_PADDING_SLOTS } from './phpfina-format.js';

export interface Point {
  tsS: number;
  value: number;
}

export interface FeedWriteState {
  intervalS: number;
  startTimeS: number;
  npoints: number;
  /** The value of the last stored slot (for "join" padding); NaN if none or missing. */
  lastValue: number;
}

export interface WritePlan {
  /** New start_time when the feed was empty; else unchanged. */
  startTimeS: number;
  /** Slots before the end of the file, rewritten in place. */
  overwrites: { slot: number; value: number }[];
  /** Values appended at slot `npoints` (padding included), written in one go. */
  append: Float32Array;
  /** Points older than start_time, dropped as emoncms does. */
  droppedBeforeStart: number;
  /** Points older than an earlier point of the same batch, dropped as emoncms does. */
  droppedOutOfOrder: number;
}

/**
 * The write-behind buffer's rule for points of one flush: the later arrival wins a slot, whatever
 * its timestamp inside the slot, as with emoncms's direct writes; the result is in slot order, so
 * the outcome does not depend on when the flusher ran. Points come oldest arrival first.
 */
export function latestPerSlot<P extends Point>(points: readonly P[], intervalS: number): P[] {
  const bySlot = new Map<number, P>();
  for (const p of points) bySlot.set(alignToGrid(p.tsS, intervalS), p);
  return [...bySlot.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
}

export class PaddingLimitError extends Error {
  constructor(readonly paddingSlots: number) {
    super(`a gap of ${paddingSlots} slots exceeds the padding limit of ${MAX_PADDING_SLOTS}`);
  }
}

/**
 * PHPFina post_multiple (reference/emoncms.md §1.1, "write"), as a pure plan: align to the epoch
 * grid; keep a batch only while strictly increasing (an equal slot replaces, an older one is
 * dropped); drop points before start_time; overwrite slots inside the file; append the rest,
 * padding gaps with NaN or, in join mode, with a straight line from the last value.
 */
export function planWrite(state: FeedWriteState, points: readonly Point[], join: boolean): WritePlan {
  const { intervalS } = state;
  const batch: Point[] = [];
  let droppedOutOfOrder = 0;
  for (const p of points) {
    const tsS = alignToGrid(p.tsS, intervalS);
    const last = batch[batch.length - 1];
    if (last && tsS === last.tsS) last.value = p.value;
    else if (last && tsS < last.tsS) droppedOutOfOrder++;
    else batch.push({ tsS, value: p.value });
  }

  let startTimeS = state.startTimeS;
  if (state.npoints === 0 && startTimeS === 0 && batch[0]) startTimeS = batch[0].tsS;

  const overwrites: { slot: number; value: number }[] = [];
  const tail: number[] = [];
  let droppedBeforeStart = 0;
  let lastSlot = state.npoints - 1;
  let lastValue = state.lastValue;
  for (const p of batch) {
    const slot = Math.floor((p.tsS - startTimeS) / intervalS);
    if (slot < 0) {
      droppedBeforeStart++;
      continue;
    }
    if (slot < state.npoints) {
      overwrites.push({ slot, value: p.value });
      continue;
    }
    const padding = slot - lastSlot - 1;
    if (padding > MAX_PADDING_SLOTS) throw new PaddingLimitError(padding);
    if (padding > 0) {
      const step = (p.value - lastValue) / (padding + 1);
      for (let i = 1; i <= padding; i++) tail.push(join ? lastValue + step * i : NaN);
    }
    tail.push(p.value);
    lastSlot = slot;
    lastValue = p.value;
  }
  return { startTimeS, overwrites, append: Float32Array.from(tail), droppedBeforeStart, droppedOutOfOrder };
}
