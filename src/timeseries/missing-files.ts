const NOTICE_EVERY_MS = 3_600_000;

/**
 * Points of a feed whose files are gone while its row remains (deleted by hand) cannot be
 * written and are dropped at flush, as emoncms does. Each drop is counted; the log says so at
 * most once an hour per feed, with the points dropped since its last word. Pure bookkeeping.
 */
export class MissingFilesNotices {
  private readonly feeds = new Map<number, { loggedAtMs: number; pending: number }>();

  /** Records a drop; returns the points to log now (dropped since the last notice), or 0. */
  dropped(feedId: number, points: number, nowMs: number): number {
    const entry = this.feeds.get(feedId);
    if (entry && nowMs - entry.loggedAtMs < NOTICE_EVERY_MS) {
      entry.pending += points;
      return 0;
    }
    const due = points + (entry?.pending ?? 0);
    this.feeds.set(feedId, { loggedAtMs: nowMs, pending: 0 });
    return due;
  }
}
