import type { BufferedPoint, FeedReaderPort } from './ports.js';
import { alignToGrid } from './phpfina-format.js';
import type { SeriesView } from './read-query.js';
import { latestPerSlot } from './write-plan.js';

/**
 * A feed as reads see it: its files with the buffered points laid over them, so a value is
 * readable the moment it is accepted. The overlay follows the flusher (latestPerSlot): the later
 * arrival wins a slot, points before the file's start are dropped. The overlay is kept as sorted
 * arrays, so a bucket costs a binary search plus its own points, whatever the backlog's size.
 */
export function overlayView(reader: FeedReaderPort, buffered: readonly BufferedPoint[]): SeriesView {
  const { intervalS, npoints, startTimeS } = reader.feed;
  const fileStart = reader.historyStartSlot;
  const fileEnd = startTimeS / intervalS + npoints;
  const empty = npoints === 0 && startTimeS === 0;
  const latest = latestPerSlot(buffered, intervalS); // in slot order
  const firstBuffered = latest[0] ? alignToGrid(latest[0].tsS, intervalS) / intervalS : undefined;
  const dataStart = empty ? (firstBuffered ?? 0) : startTimeS / intervalS;
  const slots: number[] = [];
  const values: number[] = [];
  for (const p of latest) {
    const slot = alignToGrid(p.tsS, intervalS) / intervalS;
    if (slot < dataStart) continue;
    slots.push(slot);
    values.push(Math.fround(p.value)); // stored as float32: reads the same before and after the flush
  }
  const lastOverlay = slots.length ? slots[slots.length - 1]! : -Infinity;
  const startSlot = empty ? dataStart : fileStart;
  const endSlot = Math.max(empty ? dataStart : fileEnd, lastOverlay + 1);
  const diskValue = (slot: number) =>
    slot < fileEnd && !empty ? (reader.raw(slot, slot + 1)[0] ?? NaN) : NaN;

  return {
    intervalS,
    startSlot,
    endSlot,
    valueAt: (slot) => {
      const i = lowerBound(slots, slot);
      return slots[i] === slot ? values[i]! : diskValue(slot);
    },
    sum: (from, to) => {
      const base = empty
        ? { sum: 0, count: 0, min: Infinity, max: -Infinity }
        : reader.sum(from, Math.min(to, fileEnd));
      let { sum, count } = base;
      const lo = lowerBound(slots, from);
      const hi = lowerBound(slots, to);
      // The file's values under the overlay, read in one go rather than one read per slot.
      const diskTo = empty || lo === hi ? 0 : Math.min(slots[hi - 1]! + 1, fileEnd);
      const disk = diskTo > slots[lo]! ? reader.raw(slots[lo]!, diskTo) : undefined;
      for (let i = lo; i < hi; i++) {
        const old = disk?.[slots[i]! - slots[lo]!] ?? NaN;
        if (old === old) {
          sum -= old;
          count--;
        }
        const value = values[i]!;
        if (value === value) {
          sum += value;
          count++;
        }
      }
      return { sum, count, min: base.min, max: base.max };
    },
  };
}

/** The first index whose slot is >= `slot` (slots ascending). */
function lowerBound(slots: readonly number[], slot: number): number {
  let lo = 0;
  let hi = slots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (slots[mid]! < slot) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
