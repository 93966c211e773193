import type { TimeValue } from '../../ingest/process-types.js';
import type { Clock } from '../../shared/clock.js';
import { canReadFeed } from '../../timeseries/feed-access.js';
import type { FeedService } from '../../timeseries/feed-service.js';
import type { FeedRecord } from '../../timeseries/ports.js';
import type { VersionInfo } from '../contract.js';
import { notAcceptable, type EmoncmsCall } from './emoncms-route.js';
import { phpInt } from './php-values.js';

/** A feed's PHPFina file as emoncms's get_meta reads it. */
export interface FeedFileMeta {
  intervalS: number;
  startTimeS: number;
  npoints: number;
}

export interface EmoncmsFeedDeps {
  feeds: FeedService;
  /** The last value that reached a feed and when it arrived (emoncms's redis `feed:<id>` time/value). */
  feedLast: (feedId: number) => TimeValue | null;
  /** Household timezone: the default of `timezone` (emoncms uses the user's). */
  timeZone: string;
  version: VersionInfo;
  /** "now" for date strings and for posts without a time. */
  clock: Clock;
  /** The feed file's meta (cheap: the .meta file and the .dat size; buffered points not counted). */
  feedMeta: (feedId: number) => FeedFileMeta;
  /** Records a posted value as the feed's last arrival (emoncms updates `feed:<id>` time/value). */
  noteFeedValue: (feedId: number, last: TimeValue) => void;
}

export const FEED_MISSING = { success: false, message: 'Feed does not exist' } as const;

/** emoncms's engine id of PHPFina, the only engine the hub has. */
export const PHPFINA_ENGINE = 5;

export interface EmoncmsTimeValue {
  time: number | null;
  value: number | null;
}

/** The feed questions every emoncms feed action asks, answered through FeedService. */
export class EmoncmsFeeds {
  constructor(readonly deps: EmoncmsFeedDeps) {}

  get feeds(): FeedService {
    return this.deps.feeds;
  }

  nowS(): number {
    return Math.floor(this.deps.clock.nowMs() / 1000);
  }

  /**
   * emoncms's single-feed branch: `(int)id` must exist ("Feed does not exist"), then the caller
   * needs read access to the feed (read actions) or write rights (write actions), else 406.
   */
  async single(
    call: EmoncmsCall,
    kind: 'read' | 'write',
    run: (feed: FeedRecord) => unknown,
  ): Promise<unknown> {
    const id = phpInt(call.get('id'));
    if (!this.feeds.exists(id)) return FEED_MISSING;
    const feed = this.feeds.get(id);
    const allowed = kind === 'read' ? canReadFeed(call.principal, feed) : call.write;
    return allowed ? run(feed) : notAcceptable();
  }

  /** Where an action the caller may not use, or does not exist, lands in emoncms. */
  fallThrough(call: EmoncmsCall): unknown {
    return this.feeds.exists(phpInt(call.get('id'))) ? notAcceptable() : FEED_MISSING;
  }

  /**
   * The feed's last time and value: the last arrival (feedLast) unless the files hold a later
   * slot (points posted through the feed API), as emoncms falls back to the engine's last value.
   */
  async timeValue(feed: FeedRecord): Promise<EmoncmsTimeValue> {
    const last = this.deps.feedLast(feed.id);
    const grid = await this.feeds.lastValue(feed.id);
    if (last && (!grid || last.timeS >= grid.tsS)) return { time: last.timeS, value: last.value };
    return grid ? { time: grid.tsS, value: grid.value } : { time: null, value: null };
  }

  meta(feed: FeedRecord): FeedFileMeta {
    return this.deps.feedMeta(feed.id);
  }

  /** PHPFina get_meta as emoncms prints it (feed/getmeta.json, list meta=1). */
  async metaJson(feed: FeedRecord) {
    const m = this.meta(feed);
    const endTimeS = Math.max(0, m.startTimeS + m.intervalS * (m.npoints - 1));
    return {
      id: feed.id,
      interval: m.intervalS,
      start_time: m.startTimeS,
      npoints: m.npoints,
      end_time: endTimeS,
    };
  }

  /** A feed as emoncms's redis hash holds it (strings), then time and value, then meta. */
  async hashJson(feed: FeedRecord, withMeta: boolean): Promise<Record<string, unknown>> {
    const meta = await this.metaJson(feed);
    const tv = await this.timeValue(feed);
    const out: Record<string, unknown> = {
      id: String(feed.id),
      userid: String(feed.ownerId),
      name: feed.name,
      tag: feed.tag,
      public: feed.public ? '1' : '0',
      size: String(16 + meta.npoints * 4),
      engine: String(PHPFINA_ENGINE),
      processList: '',
      unit: feed.unit,
      time: tv.time,
      value: tv.value,
    };
    if (withMeta) {
      out.start_time = meta.start_time;
      out.end_time = meta.end_time;
      out.interval = meta.interval;
      out.npoints = meta.npoints;
    }
    return out;
  }
}

/** emoncms's allowed feed name and tag characters: letters, digits, _, whitespace, - and :. */
export const sanitizeName = (text: string): string => text.replace(/[^\p{N}\p{L}_ \t\n\v\f\r\-:]/gu, '');
