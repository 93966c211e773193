import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { FeedRepo, FeedStore } from './ports.js';

/** Trims full-resolution data past each feed's retention; rollups keep the history. */
export async function applyRetention(
  repo: FeedRepo,
  store: FeedStore,
  nowMs: number,
  log: Logger,
): Promise<void> {
  for (const feed of repo.list()) {
    if (!feed.retentionDays) continue;
    const cutS = Math.floor(nowMs / 1000) - feed.retentionDays * 86_400;
    try {
      if (!store.exists(feed.id)) continue;
      const { startTimeS, npoints } = store.read(feed.id);
      if (npoints > 0 && startTimeS < cutS) {
        await store.trim(feed.id, cutS);
        log.info({ feedId: feed.id, before: cutS }, 'retention: trimmed full-resolution data');
      }
    } catch (err) {
      // The trim is journalled (repair() finishes or undoes it); tomorrow's pass tries again.
      log.error({ feedId: feed.id, err: describeError(err) }, 'retention trim failed');
    }
  }
}
