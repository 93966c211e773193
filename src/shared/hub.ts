import { systemClock, type CancelTimer, type Clock } from './clock.js';
import type { Component, ComponentStatus } from './component.js';
import type { Logger } from './logger.js';
import { describeError } from './errors.js';
import { canStartFailureHeal, startFailureReason } from './start-failure.js';

export interface Readiness {
  ready: boolean;
  components: Record<string, ComponentStatus>;
}

/** Backoff of start retries: doubling from firstMs up to maxMs. */
export interface RetryBackoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY_BACKOFF: RetryBackoff = { firstMs: 1000, maxMs: 60_000 };

/** A component whose start failed: the reason shown in /readyz, and its next retry if any. */
interface Down {
  reason: string;
  attempts: number;
  retryAtMs?: number;
  cancelRetry?: CancelTimer;
}

/** Start-up ends: a component marked 'fatal' could not start. */
export class FatalStartError extends Error {
  constructor(
    readonly component: string,
    readonly reason: string,
  ) {
    super(`${component} could not start: ${reason}`);
  }
}

/**
 * Ordered start, reverse stop, and the readiness view over a list of components. A component
 * that fails to start is marked down (and retried with backoff if it asks for it); the rest start
 * and serve. Only a 'fatal' one ends start-up.
 */
export class Hub {
  private readonly list: Component[];
  private readonly up = new Set<Component>();
  private readonly down = new Map<Component, Down>();
  private readonly retries = new Set<Promise<void>>();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    components: readonly Component[],
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
    private readonly backoff: RetryBackoff = DEFAULT_RETRY_BACKOFF,
  ) {
    this.list = [...components];
  }

  get components(): readonly Component[] {
    return this.list;
  }

  /** Adds components after those given so far (a module wired later); only before start. */
  add(...components: Component[]): void {
    if (this.starting) throw new Error('components are added before the hub starts');
    this.list.push(...components);
  }

  /** Starts every component in order; rejects only when a 'fatal' one cannot start. */
  start(): Promise<void> {
    this.starting ??= this.startAll();
    return this.starting;
  }

  /** Stops what was started, last first; one failing stop does not prevent the others. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  readiness(): Readiness {
    const components: Record<string, ComponentStatus> = {};
    let ready = true;
    for (const component of this.list) {
      const down = this.down.get(component);
      const status: ComponentStatus = down
        ? {
            state: 'down',
            detail: {
              reason: down.reason,
              retrying: down.retryAtMs !== undefined,
              attempts: down.attempts,
              ...(down.retryAtMs === undefined ? {} : { nextRetryAtMs: down.retryAtMs }),
            },
          }
        : component.status();
      components[component.name] = status;
      if (status.state !== 'ready' && component.neededForReady !== false) ready = false;
    }
    return { ready, components };
  }

  private async startAll(): Promise<void> {
    for (const component of this.list) {
      if (this.stopping) return;
      await this.startOne(component, 0);
    }
  }

  private async startOne(component: Component, attempt: number): Promise<void> {
    this.log.debug({ component: component.name, attempt }, 'starting');
    try {
      await component.start();
    } catch (err) {
      await this.failed(component, attempt, err);
      return;
    }
    this.up.add(component);
    if (this.down.delete(component)) this.log.info({ component: component.name }, 'started after all');
  }

  private async failed(component: Component, attempt: number, err: unknown): Promise<void> {
    const reason = startFailureReason(err);
    await this.stopOne(component); // whatever it opened before it failed
    const policy = component.onStartFailure ?? 'down';
    if (policy === 'fatal') throw new FatalStartError(component.name, reason);
    const delayMs = Math.min(this.backoff.firstMs * 2 ** attempt, this.backoff.maxMs);
    // Only a failure that can go away is retried (a port freed); EACCES on port 80 never will.
    const retrying = policy === 'retry' && canStartFailureHeal(err) && !this.stopping;
    const down: Down = { reason, attempts: attempt + 1 };
    if (retrying) {
      down.retryAtMs = this.clock.nowMs() + delayMs;
      down.cancelRetry = this.clock.after(delayMs, () => this.retry(component, attempt + 1));
    }
    this.down.set(component, down);
    this.log.error(
      { component: component.name, err: reason, ...(retrying ? { retryInMs: delayMs } : {}) },
      retrying ? 'could not start; retrying' : 'could not start; the rest carry on without it',
    );
  }

  private retry(component: Component, attempt: number): void {
    if (this.stopping) return;
    const running = this.startOne(component, attempt).finally(() => this.retries.delete(running));
    this.retries.add(running);
  }

  private async stopOne(component: Component): Promise<void> {
    try {
      await component.stop();
    } catch (err) {
      this.log.error({ component: component.name, err: describeError(err) }, 'stop failed');
    }
  }

  private async stopAll(): Promise<void> {
    await this.starting?.catch(() => undefined); // it checks `stopping` before each component
    for (const down of this.down.values()) down.cancelRetry?.();
    await Promise.all([...this.retries]); // a retry under way finishes, then stops with the rest
    for (const component of [...this.list].reverse()) {
      if (!this.up.delete(component)) continue;
      await this.stopOne(component);
    }
  }
}
