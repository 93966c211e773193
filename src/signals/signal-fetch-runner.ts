import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { parseFeed, type FeedKind } from './feed-shapes.js';
import type { HttpGetJson } from './http-get.net.js';
import type { SignalService } from './signal-service.js';

export interface FetchSource {
  name: string;
  kind: FeedKind;
  url: string;
  refreshMinutes: number;
  ttlMinutes: number;
}

const WHAT: Record<FeedKind, string> = {
  agile: 'Agile price forecast',
  'carbon-intensity': 'carbon-intensity forecast',
  solcast: 'solar forecast',
};

/** After a failed fetch, the next try comes sooner than a full refresh interval. */
const RETRY_MS = 5 * 60_000;

interface SourceState {
  fetches: number;
  failures: number;
  lastError: string | null;
  lastFetchMs: number | null;
  cancel?: () => void;
}

/**
 * Fetches each configured forecast source on its own refresh interval (not on every plan); a fresh
 * cached copy is not fetched again after a restart. A failure keeps the last good signal.
 */
export class SignalFetchRunner implements Component {
  readonly name = 'signal-fetch';
  private readonly state = new Map<string, SourceState>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;

  constructor(
    private readonly sources: readonly FetchSource[],
    private readonly get: HttpGetJson,
    private readonly signals: SignalService,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    for (const s of sources) {
      signals.expect(s.name, WHAT[s.kind], s.ttlMinutes * 60);
      this.state.set(s.name, { fetches: 0, failures: 0, lastError: null, lastFetchMs: null });
    }
  }

  /** Runs after SignalService.start (module order), so cached signals are known. */
  start(): Promise<void> {
    this.running = true;
    for (const source of this.sources) {
      const lastS = this.signals.receivedAtS(source.name);
      const dueMs =
        lastS === undefined ? 0 : lastS * 1000 + source.refreshMinutes * 60_000 - this.clock.nowMs();
      if (dueMs <= 0) this.fetch(source);
      else this.schedule(source, dueMs);
    }
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const s of this.state.values()) s.cancel?.();
    await this.idle();
  }

  status(): ComponentStatus {
    const detail = Object.fromEntries(
      [...this.state].map(([name, { cancel: _cancel, ...counters }]) => [name, counters]),
    );
    return { state: this.running ? 'ready' : 'stopped', detail };
  }

  /** Resolves when no fetch is under way (tests, stop). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private schedule(source: FetchSource, delayMs: number): void {
    const state = this.state.get(source.name)!;
    state.cancel?.();
    if (!this.running) return;
    state.cancel = this.clock.after(delayMs, () => this.fetch(source));
  }

  private fetch(source: FetchSource): void {
    const run = this.fetchOnce(source).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  private async fetchOnce(source: FetchSource): Promise<void> {
    const state = this.state.get(source.name)!;
    state.fetches++;
    state.lastFetchMs = this.clock.nowMs();
    const origin = `fetch:${source.name}`;
    let problem: string | undefined;
    try {
      const body = await this.get(source.url);
      const parsed = parseFeed(source.kind, body, origin, Math.floor(this.clock.nowMs() / 1000));
      if (parsed.ok)
        await this.signals.accept(source.name, parsed.value, WHAT[source.kind], source.ttlMinutes * 60);
      else problem = `bad payload: ${parsed.problem}`;
    } catch (err) {
      problem = describeError(err);
    }
    if (problem) {
      state.failures++;
      state.lastError = problem;
      this.signals.reject(source.name, origin, problem);
      this.log.debug({ source: source.name, url: source.url }, 'signal fetch failed');
    } else state.lastError = null;
    this.schedule(
      source,
      problem ? Math.min(RETRY_MS, source.refreshMinutes * 60_000) : source.refreshMinutes * 60_000,
    );
  }
}
