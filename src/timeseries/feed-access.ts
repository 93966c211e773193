import type { Principal } from '../auth/roles.js';
import type { FeedRecord } from './ports.js';

/**
 * Who may read a feed: anyone when it is public; otherwise any signed-in member of the household
 * (administrator or viewer, by session or API key, read or write key). The hub serves one
 * household, so there is no per-owner check as emoncms has.
 */
export function canReadFeed(principal: Principal | undefined, feed: FeedRecord): boolean {
  return feed.public || principal !== undefined;
}

/** Who may create, change, post to or delete feeds: an administrator with write rights. */
export function canWriteFeeds(principal: Principal | undefined): boolean {
  return principal !== undefined && principal.role === 'admin' && principal.scope === 'write';
}
