import type { BufferedPoint, FeedReaderPort } from './ports.js';
import { alignToGrid } from './phpfina-format.js';
import type { SeriesView } from './read-query.js';
import { latestPerSlot } from './write-plan.js';

/**
 * A feed as reads see it: its files with the buffered points laid over them, so a value is
 * readable the moment it is accepted. The overlay follows the flusher (latestPerSlot): the later
 * arrival wins a slot, points before the file's start are dropped.
 */
export function overlayView(reader: FeedReaderPort, buffered: readonly BufferedPoint[]): SeriesView {
  const { intervalS, npoints, startTimeS } = reader.feed;
  const fileStart = reader.historyStartSlot;
  const fileEnd = startTimeS / intervalS + npoints;
  const overlay = new Map<number, number>();
  const empty = npoints === 0 && startTimeS === 0;
  const latest = latestPerSlot(buffered, intervalS);
  const firstBuffered = latest[0] ? alignToGrid(latest[0].tsS, intervalS) / intervalS : undefined;
  const dataStart = empty ? (firstBuffered ?? 0) : startTimeS / intervalS;
  for (const p of latest) {
    const slot = alignToGrid(p.tsS, intervalS) / intervalS;
    // Stored as float32, so a value reads the same before and after the flush.
    if (slot >= dataStart) overlay.set(slot, Math.fround(p.value));
  }
  const lastOverlay = Math.max(-Infinity, ...overlay.keys());
  const startSlot = empty ? dataStart : fileStart;
  const endSlot = Math.max(empty ? dataStart : fileEnd, lastOverlay + 1);
  const diskValue = (slot: number) =>
    slot < fileEnd && !empty ? (reader.raw(slot, slot + 1)[0] ?? NaN) : NaN;

  return {
    intervalS,
    startSlot,
    endSlot,
    valueAt: (slot) => (overlay.has(slot) ? overlay.get(slot)! : diskValue(slot)),
    sum: (from, to) => {
      const base = empty
        ? { sum: 0, count: 0, min: Infinity, max: -Infinity }
        : reader.sum(from, Math.min(to, fileEnd));
      let { sum, count } = base;
      for (const [slot, value] of overlay) {
        if (slot < from || slot >= to) continue;
        const old = diskValue(slot);
        if (old === old) {
          sum -= old;
          count--;
        }
        if (value === value) {
          sum += value;
          count++;
        }
      }
      return { sum, count, min: base.min, max: base.max };
    },
  };
}
