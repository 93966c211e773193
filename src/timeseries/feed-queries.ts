import type { FeedFiles } from './feed-files.fs.js';
import type { BufferedPoint, FeedReaderPort, LastValue } from './ports.js';
import { readSeries, type ReadQuery, type Sample } from './read-query.js';
import { overlayView } from './series-view.js';

// Reads over one open reader with the buffered points laid over it; run where the files are.

export function querySeries(
  reader: FeedReaderPort,
  buffered: readonly BufferedPoint[],
  query: ReadQuery,
): Sample[] {
  return readSeries(overlayView(reader, buffered), query);
}

export function lastValueOf(reader: FeedReaderPort, buffered: readonly BufferedPoint[]): LastValue | null {
  const view = overlayView(reader, buffered);
  if (view.endSlot <= view.startSlot) return null;
  const value = view.valueAt(view.endSlot - 1);
  return { tsS: (view.endSlot - 1) * view.intervalS, value: value === value ? value : null };
}

export function valueNear(
  reader: FeedReaderPort,
  buffered: readonly BufferedPoint[],
  tsS: number,
): number | null {
  const view = overlayView(reader, buffered);
  const slot = Math.round(tsS / view.intervalS);
  if (slot < view.startSlot || slot >= view.endSlot) return null;
  const value = view.valueAt(slot);
  return value === value ? value : null;
}

/** Runs `fn` over a read session of one feed, closing its files after. */
export function readWith<T>(
  files: Pick<FeedFiles, 'openReader'>,
  id: number,
  fn: (reader: FeedReaderPort) => T,
): T {
  const reader = files.openReader(id);
  try {
    return fn(reader);
  } finally {
    reader.close();
  }
}
