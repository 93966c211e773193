import type { FeedService } from '../../timeseries/feed-service.js';
import type { FeedRecord } from '../../timeseries/ports.js';
import type { EmoncmsCall } from './emoncms-route.js';
import { sanitizeName } from './feed-view.js';
import { phpInt, phpJsonDecode, stripSlashes } from './php-values.js';

const failure = (message: string) => ({ success: false, message });

/** PHP empty(): null, "", "0", 0, false and [] are empty. */
function phpEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    value === '0' ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** A JSON scalar as PHP's string functions see it; undefined for lists and objects. */
function phpString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '';
  return undefined;
}

/** PHP htmlspecialchars(ENT_QUOTES) changes none of these characters. */
const HTML_SPECIAL = /[&<>"']/;

/**
 * feed/set.json?id&fields={name,tag,unit,public} (feed_controller + Feed::set_feed_fields). The
 * hub checks every field before it changes any, and stores the name as given (trimmed), where
 * emoncms applies fields one by one and stores the name HTML-escaped.
 */
export function setFeedFields(feeds: FeedService, feed: FeedRecord, call: EmoncmsCall): unknown {
  const raw = call.get('fields');
  const asked = phpJsonDecode(raw);
  const requested =
    asked && typeof asked === 'object' && !Array.isArray(asked) ? (asked as Record<string, unknown>) : {};
  if (!phpEmpty(requested.name) || !phpEmpty(requested.tag)) {
    const name = phpEmpty(requested.name) ? feed.name : (phpString(requested.name) ?? '');
    const tag = phpEmpty(requested.tag) ? feed.tag : (phpString(requested.tag) ?? '');
    // emoncms's check matches the feed itself too: renaming to the same tag:name is refused.
    const taken = feeds.list().some((f) => f.name === sanitizeName(name) && f.tag === sanitizeName(tag));
    if (taken) return failure('fields tag:name must be unique');
  }

  // set_feed_fields decodes the (already unslashed) text once more after another stripslashes.
  const decoded = phpJsonDecode(raw === undefined ? undefined : stripSlashes(raw));
  const fields =
    decoded && typeof decoded === 'object' && !Array.isArray(decoded)
      ? (decoded as Record<string, unknown>)
      : {};
  const changes: Record<string, unknown> = {};
  const out: Record<string, unknown> = {};
  if (fields.name !== undefined && fields.name !== null) {
    const name = phpString(fields.name);
    if (name === undefined) return failure('Field could not be updated');
    changes.name = out.name = name.trim();
  }
  if (fields.tag !== undefined && fields.tag !== null) {
    const tag = phpString(fields.tag);
    if (tag === undefined || sanitizeName(tag) !== tag) return failure('invalid characters in feed tag');
    changes.tag = out.tag = tag;
  }
  if (fields.unit !== undefined && fields.unit !== null) {
    const unit = fields.unit;
    if (typeof unit !== 'string' || HTML_SPECIAL.test(unit) || unit.trim() !== unit)
      return failure('invalid characters in feed unit');
    if (Buffer.byteLength(unit) > 10) return failure('feed unit too long');
    changes.unit = out.unit = unit;
  }
  if (fields.public !== undefined && fields.public !== null) {
    const flag = phpInt(fields.public);
    changes.public = flag !== 0;
    out.public = flag > 0 ? 1 : flag;
  }
  if (!Object.keys(changes).length) return failure('Field could not be updated');
  feeds.update(feed.id, changes);
  return { success: true, message: 'Field updated', feedid: feed.id, fields: out };
}
