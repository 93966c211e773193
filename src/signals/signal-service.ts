import type { SignalView, SignalsView } from '../api/contract.js';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { SignalCache } from './signal-cache.fs.js';
import { freshnessOf, type SignalEntry } from './signal-freshness.js';
import {
  combineSignals,
  DEFAULT_TARGET,
  targetSchema,
  type CombinedSignal,
  type OptimisationTarget,
} from './signal-target.js';
import { hubSignalTopic } from './signal-topics.js';
import { clipSignal, signalEndS, type Signal } from './signal.js';

export type PublishRetained = (topic: string, payload: string) => Promise<void>;

export interface TargetStore {
  get(): unknown;
  set(document: unknown, updatedAtMs: number): void;
}

export interface SignalServiceDeps {
  cache: SignalCache;
  /** The hub's retained publish (QoS 1); undefined when MQTT is off. */
  publish: PublishRetained | undefined;
  targetStore: TargetStore;
  clock: Clock;
  log: Logger;
  timeZone: string;
  /** The time-of-use tariff as a signal from now, or undefined while none is set. */
  tariff: (nowS: number) => Signal | undefined;
  /** Keeps an accepted signal's history (price and carbon as feeds); it counts its own failures. */
  history?: (name: string, signal: Signal) => Promise<void>;
}

const TARIFF = { name: 'tariff', what: 'time-of-use tariff' } as const;
/**
 * How often the tariff signal is looked at: republished when it changed (an edited tariff, or a
 * new slot reached, so its retained copy always reaches 47.5 h or more ahead).
 */
const TARIFF_CHECK_MS = 60_000;

/**
 * Every signal the hub has (the gateway's, fetched ones, the tariff): accepted whole or refused
 * with the reason and counted, cached on disk, republished retained on `hub/signals/<name>`, and
 * reported with its freshness. The planner reads signals here; nothing here fetches.
 */
export class SignalService implements Component {
  readonly name = 'signals';
  private readonly entries = new Map<string, SignalEntry>();
  private readonly counters = { accepted: 0, rejected: 0, cacheWriteFailures: 0, publishFailures: 0 };
  private readonly rejectedBySource = new Map<string, number>();
  private cancelTariff: (() => void) | undefined;
  /** The tariff signal last published, without receivedAtS. */
  private publishedTariff = '';

  constructor(private readonly deps: SignalServiceDeps) {}

  /** A signal the hub expects (a configured source, the gateway's): listed while missing too. */
  expect(name: string, what: string, ttlS: number): void {
    const entry = this.entries.get(name);
    if (entry) Object.assign(entry, { what, ttlS });
    else this.entries.set(name, { name, what, ttlS, signal: undefined });
  }

  start(): Promise<void> {
    const { signals, problems } = this.deps.cache.loadAll();
    for (const problem of problems) this.deps.log.warn({ problem }, 'signal cache file skipped');
    for (const [name, signal] of signals) {
      const entry = this.entries.get(name);
      if (entry) entry.signal = signal;
      else this.entries.set(name, { name, what: `${name} signal`, ttlS: 0, signal });
    }
    this.publishTariff();
    this.cancelTariff = this.deps.clock.every(TARIFF_CHECK_MS, () => this.publishTariff());
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.cancelTariff?.();
    this.cancelTariff = undefined;
    return Promise.resolve();
  }

  status(): ComponentStatus {
    return {
      state: 'ready',
      detail: { ...this.counters, rejectedBySource: Object.fromEntries(this.rejectedBySource) },
    };
  }

  /** A whole, valid signal: kept, cached, republished; replaces the one before. */
  async accept(name: string, signal: Signal, what: string, ttlS: number): Promise<void> {
    const kept = clipSignal(signal, this.nowS()) ?? signal;
    this.expect(name, what, ttlS);
    const entry = this.entries.get(name)!;
    entry.signal = kept;
    entry.lastError = undefined;
    this.counters.accepted++;
    this.deps.log.info(
      { signal: name, source: kept.source, startS: kept.startS, slots: kept.values.length },
      'signal accepted',
    );
    try {
      this.deps.cache.save(name, kept);
    } catch (err) {
      this.counters.cacheWriteFailures++;
      this.deps.log.error({ signal: name, err: describeError(err) }, 'signal not cached');
    }
    await this.publish(name, kept);
    await this.deps.history?.(name, kept);
  }

  /** A payload or fetch that failed: counted and logged; the signal before it is kept. */
  reject(name: string | undefined, source: string, problem: string): void {
    this.counters.rejected++;
    this.rejectedBySource.set(source, (this.rejectedBySource.get(source) ?? 0) + 1);
    this.deps.log.warn({ signal: name, source, problem }, 'signal refused');
    const entry = name === undefined ? undefined : this.entries.get(name);
    if (entry) entry.lastError = `${source}: ${problem}`;
  }

  /** When it was last received (to schedule the next fetch), or undefined. */
  receivedAtS(name: string): number | undefined {
    return this.entries.get(name)?.signal?.receivedAtS;
  }

  /** A signal from the slot now on, or undefined when there is none or it has ended. */
  get(name: string): Signal | undefined {
    const nowS = this.nowS();
    if (name === TARIFF.name) return this.deps.tariff(nowS);
    const signal = this.entries.get(name)?.signal;
    return signal && clipSignal(signal, nowS);
  }

  target(): OptimisationTarget {
    const parsed = targetSchema.safeParse(this.deps.targetStore.get());
    return parsed.success ? parsed.data : DEFAULT_TARGET;
  }

  setTarget(target: OptimisationTarget): OptimisationTarget {
    this.deps.targetStore.set(target, this.deps.clock.nowMs());
    return target;
  }

  /** The household's target as one cost series (the signals it names that have not ended). */
  targetSignal(): CombinedSignal {
    const available = new Map<string, Signal>();
    for (const term of this.target().terms) {
      const signal = this.get(term.signal);
      if (signal) available.set(term.signal, signal);
    }
    return combineSignals(this.target(), available);
  }

  /** Why the target's signals cannot be trusted now (stale, ended, missing), in words; null: fresh. */
  targetProblem(): string | null {
    const view = this.list();
    const used = new Set(view.target.terms.filter((t) => t.weight > 0).map((t) => t.signal));
    const whys = view.signals
      .filter((s) => used.has(s.name) && s.stale)
      .map((s) => s.why ?? `${s.name} is stale`);
    return whys.length > 0 ? whys.join('; ') : null;
  }

  list(): SignalsView {
    const nowS = this.nowS();
    const tariff = this.deps.tariff(nowS);
    const entries: SignalEntry[] = [
      ...this.entries.values(),
      {
        ...TARIFF,
        signal: tariff,
        ttlS: Number.POSITIVE_INFINITY,
        lastError: tariff ? undefined : 'no tariff set',
      },
    ];
    const signals = entries
      .map((entry): SignalView => {
        const fresh = freshnessOf(entry, nowS, this.deps.timeZone);
        const signal = entry.signal && (clipSignal(entry.signal, nowS) ?? entry.signal);
        return {
          name: entry.name,
          what: entry.what,
          signal: signal ?? null,
          receivedAtMs: signal ? signal.receivedAtS * 1000 : null,
          horizonEndMs: signal ? signalEndS(signal) * 1000 : null,
          stale: fresh.stale,
          why: fresh.why ?? null,
          lastError: entry.lastError ?? null,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const combined = this.targetSignal();
    return { signals, target: this.target(), targetMissing: combined.missing };
  }

  private publishTariff(): void {
    const signal = this.deps.tariff(this.nowS());
    const key = signal ? JSON.stringify({ ...signal, receivedAtS: 0 }) : '';
    if (!signal || key === this.publishedTariff) return;
    this.publishedTariff = key;
    void this.publish(TARIFF.name, signal);
  }

  private async publish(name: string, signal: Signal): Promise<void> {
    if (!this.deps.publish) return;
    try {
      await this.deps.publish(hubSignalTopic(name), JSON.stringify(signal));
    } catch (err) {
      this.counters.publishFailures++;
      this.deps.log.warn({ signal: name, err: describeError(err) }, 'signal not republished');
    }
  }

  private nowS(): number {
    return Math.floor(this.deps.clock.nowMs() / 1000);
  }
}
