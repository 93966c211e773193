import type { Clock } from '../shared/clock.js';
import type { FeedRecord } from '../timeseries/ports.js';
import type { Sample } from '../timeseries/read-query.js';
import {
  communityDays,
  goodAt,
  kWhPerHourOf,
  lastLocalDays,
  type CommunityDay,
  type CommunitySlot,
  type CommunityUnavailable,
} from './community-days.js';
import { flowSlots } from './energy.js';
import { GATEWAY_DEFAULT_OPTIMISE } from './gateway-profile.js';
import { pickHouseholdFeeds, type HouseholdRole } from './household-feeds.js';
import type { Optimise, Signal } from './signal.js';
import { SIGNAL_FEED_TAG } from './signal-feed-writer.js';
import type { OptimisationTarget } from './signal-target.js';

const SLOT_S = 1800;
const GOOD_WINDOW_S = 24 * 3600;

/** What the service reads of the feeds (FeedService has it). */
export interface CommunityFeedReader {
  list(): readonly FeedRecord[];
  read(
    id: number,
    query: { startS: number; endS: number; interval: number; average: boolean; skipMissing: boolean },
  ): Promise<Sample[]>;
}

/** What it reads of the signals (SignalService has it). */
export interface CommunitySignalReader {
  target(): OptimisationTarget;
  get(name: string): Signal | undefined;
}

export interface CommunityDaysResult {
  days: CommunityDay[];
  /** The feeds read: the signals' (tag `signals`) and the household's by role. */
  feeds: {
    hydro: number | null;
    community: number | null;
    household: Partial<Record<HouseholdRole, number>>;
    target: number | null;
  };
  /** The signal whose kept values judged good hours (the household's one-signal target), or null. */
  goodSignal: string | null;
}

/**
 * The Community page's past days from the kept feeds: the gateway's hydro and community signals
 * (each slot's last forecast, kept by SignalFeedWriter), the household's use (the energy API's
 * feeds and balance), and the light's rule applied to the target signal's kept values.
 */
export class CommunityDaysService {
  constructor(
    private readonly deps: {
      feeds: CommunityFeedReader;
      signals: CommunitySignalReader;
      clock: Clock;
      timeZone: string;
    },
  ) {}

  async days(count: number): Promise<CommunityDaysResult> {
    const nowS = Math.floor(this.deps.clock.nowMs() / 1000);
    const days = lastLocalDays(nowS, count, this.deps.timeZone);
    const fromS = days[0]!.startS;
    const all = this.deps.feeds.list();
    const signalFeed = (name: string) => all.find((f) => f.tag === SIGNAL_FEED_TAG && f.name === name);
    const unavailable: CommunityUnavailable = {};

    const [hydro, community] = await Promise.all(
      (['hydro', 'community'] as const).map(async (name) => {
        const feed = signalFeed(name);
        const factor = feed ? kWhPerHourOf(feed.unit) : null;
        if (feed && factor !== null)
          return { feed, powerKW: await this.halfHourly(feed, fromS, nowS, factor) };
        unavailable[name] = feed ? 'not-power' : 'no-feed';
        return { feed, powerKW: new Map<number, number>() };
      }),
    );

    const picked = pickHouseholdFeeds(all.filter((f) => f.tag !== SIGNAL_FEED_TAG));
    const roles = Object.entries(picked) as [HouseholdRole, FeedRecord][];
    if (roles.length === 0) unavailable.household = 'no-feed';
    const samples = await Promise.all(roles.map(([, feed]) => this.read(feed.id, fromS, nowS, SLOT_S)));
    const household = new Map(
      flowSlots(
        Object.fromEntries(roles.map(([role], i) => [role, samples[i]!])),
        SLOT_S,
        nowS,
        this.deps.timeZone,
      ).map((s) => [s.startS, s.houseKWh]),
    );

    const good = await this.goodJudge(fromS, nowS, signalFeed, unavailable);

    const slots: CommunitySlot[] = [];
    for (let startS = fromS; startS < nowS; startS += SLOT_S) {
      const seconds = Math.min(SLOT_S, nowS - startS);
      const kWh = (powerKW: number | undefined) =>
        powerKW === undefined ? null : (powerKW * seconds) / 3600;
      slots.push({
        startS,
        seconds,
        hydroKWh: kWh(hydro!.powerKW.get(startS)),
        communityKWh: kWh(community!.powerKW.get(startS)),
        householdKWh: household.get(startS) ?? null,
        good: good.judge(startS),
      });
    }
    return {
      days: communityDays(days, slots, nowS, unavailable),
      feeds: {
        hydro: hydro!.feed?.id ?? null,
        community: community!.feed?.id ?? null,
        household: Object.fromEntries(roles.map(([role, feed]) => [role, feed.id])),
        target: good.feedId,
      },
      goodSignal: good.name,
    };
  }

  /** A signal feed's mean power in kW per half hour (a 60-min feed spread over its two halves). */
  private async halfHourly(
    feed: FeedRecord,
    fromS: number,
    toS: number,
    kWPerUnit: number,
  ): Promise<Map<number, number>> {
    const intervalS = Math.max(SLOT_S, feed.intervalS);
    const byHalfHour = new Map<number, number>();
    for (const [tS, value] of await this.read(feed.id, fromS, toS, intervalS)) {
      if (value === null) continue;
      for (let s = tS; s < tS + intervalS; s += SLOT_S) byHalfHour.set(s, value * kWPerUnit);
    }
    return byHalfHour;
  }

  /**
   * Judges each half hour by the light's rule on the household's target signal as kept. Only a
   * one-signal target with a kept feed can be judged: a mix is scaled over whatever horizon the
   * light saw, which the feeds do not keep.
   */
  private async goodJudge(
    fromS: number,
    nowS: number,
    signalFeed: (name: string) => FeedRecord | undefined,
    unavailable: CommunityUnavailable,
  ): Promise<{ name: string | null; feedId: number | null; judge: (startS: number) => boolean | null }> {
    const none = { name: null, feedId: null, judge: () => null };
    const terms = this.deps.signals.target().terms.filter((t) => t.weight > 0);
    if (terms.length !== 1) {
      unavailable.goodUse = 'mixed-target';
      return none;
    }
    const name = terms[0]!.signal;
    const feed = signalFeed(name);
    if (!feed) {
      unavailable.goodUse = 'no-feed';
      return { ...none, name };
    }
    const optimise: Optimise =
      this.deps.signals.get(name)?.optimise ??
      (GATEWAY_DEFAULT_OPTIMISE as Record<string, Optimise | undefined>)[name] ??
      'min';
    const samples = await this.read(feed.id, fromS, nowS + GOOD_WINDOW_S, feed.intervalS);
    const startS = samples[0]?.[0] ?? fromS;
    const values = samples.map(([, v]) => v);
    const window = Math.ceil(GOOD_WINDOW_S / feed.intervalS);
    return {
      name,
      feedId: feed.id,
      judge: (slotS) => {
        const i = Math.floor((slotS - startS) / feed.intervalS);
        return i < 0 ? null : goodAt(values, i, window, optimise);
      },
    };
  }

  private read(id: number, startS: number, endS: number, interval: number): Promise<Sample[]> {
    if (endS <= startS) return Promise.resolve([]);
    return this.deps.feeds.read(id, { startS, endS, interval, average: true, skipMissing: false });
  }
}
