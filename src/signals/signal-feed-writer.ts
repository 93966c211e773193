import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Signal } from './signal.js';

/** What the writer needs of the feeds (FeedService has it). */
export interface SignalFeedStore {
  list(): { id: number; name: string; tag: string }[];
  create(input: { ownerId: number; name: string; tag: string; unit: string; intervalS: number }): {
    id: number;
  };
  post(id: number, points: readonly { tsS: number; value: number }[]): Promise<number>;
}

export const SIGNAL_FEED_TAG = 'signals';

/**
 * Price and carbon kept as feeds worth charting (tag `signals`, named after the signal): every
 * accepted signal's slots up to the feeds' future limit are posted, so a later forecast overwrites
 * an earlier one slot by slot and what stays is the last word on each slot. Feeds belong to the
 * first administrator; before there is one nothing is written (counted).
 */
export class SignalFeedWriter implements Component {
  readonly name = 'signal-feeds';
  private readonly counters = { pointsWritten: 0, skippedNoOwner: 0, failures: 0 };

  constructor(
    private readonly deps: {
      feeds: SignalFeedStore;
      owner: () => number | undefined;
      /** Signal names whose history is kept. */
      names: ReadonlySet<string>;
      /** The feeds refuse points stamped further ahead than this. */
      maxFutureS: number;
      clock: Clock;
      log: Logger;
    },
  ) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  status(): ComponentStatus {
    return { state: 'ready', detail: { ...this.counters } };
  }

  /** One signal at a time: each feed is created, then written, before the next is looked up. */
  private queue: Promise<void> = Promise.resolve();

  record(name: string, signal: Signal): Promise<void> {
    const next = this.queue.then(() => this.recordNow(name, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async recordNow(name: string, signal: Signal): Promise<void> {
    if (!this.deps.names.has(name)) return;
    const ownerId = this.deps.owner();
    if (ownerId === undefined) {
      this.counters.skippedNoOwner++;
      return;
    }
    const latestS = this.deps.clock.nowMs() / 1000 + this.deps.maxFutureS;
    const points = signal.values
      .map((value, i) => ({ tsS: signal.startS + i * signal.intervalS, value }))
      .filter((p) => p.tsS <= latestS);
    try {
      const existing = this.deps.feeds.list().find((f) => f.tag === SIGNAL_FEED_TAG && f.name === name);
      const id =
        existing?.id ??
        this.deps.feeds.create({
          ownerId,
          name,
          tag: SIGNAL_FEED_TAG,
          unit: signal.unit,
          intervalS: signal.intervalS,
        }).id;
      this.counters.pointsWritten += await this.deps.feeds.post(id, points);
    } catch (err) {
      this.counters.failures++;
      this.deps.log.warn({ signal: name, err: describeError(err) }, 'signal not written to its feed');
    }
  }
}
