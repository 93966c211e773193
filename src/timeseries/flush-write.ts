import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { BufferedPoint, WriteBuffer, WriteOutcome } from './ports.js';
import { latestPerSlot, PaddingLimitError, type Point } from './write-plan.js';

/** The synchronous file engine a write runs on (FeedFiles), on whichever thread owns the files. */
export interface PointWriter {
  read(id: number): { intervalS: number };
  write(
    id: number,
    points: readonly Point[],
    join: boolean,
  ): { droppedBeforeStart: number; droppedOutOfOrder: number };
}

/**
 * Applies the buffer's rule (latestPerSlot: the later arrival wins a slot), written in runs of
 * one padding mode. Throws on a write error, leaving the points to the caller; a rewrite of
 * the same points after a partial write gives the same file.
 */
export function writeBuffered(
  files: PointWriter,
  feedId: number,
  points: readonly BufferedPoint[],
): WriteOutcome {
  const feed = files.read(feedId);
  const ordered = latestPerSlot(points, feed.intervalS);
  let old = 0;
  let refused = 0;
  const refusals: WriteOutcome['refusals'] = [];
  let runStart = 0;
  for (let i = 1; i <= ordered.length; i++) {
    if (i < ordered.length && ordered[i]!.join === ordered[runStart]!.join) continue;
    const run = ordered.slice(runStart, i);
    runStart = i;
    try {
      const plan = files.write(feedId, run, run[0]!.join);
      old += plan.droppedBeforeStart + plan.droppedOutOfOrder;
    } catch (err) {
      if (!(err instanceof PaddingLimitError)) throw err;
      refused += run.length; // never writable: counted and dropped, as emoncms does
      refusals.push({ points: run.length, reason: err.message });
    }
  }
  // A point replaced by a later arrival in its slot counts as written, as if flushed in between.
  return { written: points.length - old - refused, old, refused, refusals };
}

export async function countHeld(buffer: WriteBuffer): Promise<number> {
  let held = 0;
  for (const feedId of await buffer.feedsWithPoints()) held += await buffer.length(feedId);
  return held;
}

/** Points held in the buffers that outlive hubd (Redis), e.g. by an adopted embedded instance. */
export async function countHeldDurably(buffers: WriteBuffer[], fallback?: WriteBuffer): Promise<number> {
  let held = 0;
  for (const buffer of buffers) if (buffer !== fallback) held += await countHeld(buffer);
  return held;
}

/** Points the final flush could not write: kept in Redis (`buffered`) or lost with hubd (`lost`). */
export async function countLeftAtStop(
  buffers: WriteBuffer[],
  fallback: WriteBuffer | undefined,
  log: Logger,
): Promise<{ buffered: number; lost: number }> {
  const left = { buffered: 0, lost: 0 };
  for (const buffer of buffers) {
    const held = await countHeld(buffer).catch((err: unknown) => {
      log.error({ err: describeError(err) }, 'could not count the points left in a buffer at stop');
      return 0;
    });
    if (buffer === fallback) left.lost += held;
    else left.buffered += held;
  }
  if (left.buffered)
    log.error({ points: left.buffered }, 'points not written at stop; they stay in Redis for the next start');
  if (left.lost)
    log.error({ points: left.lost }, 'points held only in memory (Redis was down) are lost at stop');
  return left;
}
