import { monitorEventLoopDelay, type Histogram } from 'node:perf_hooks';

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;
import type { CancelTimer, Clock } from './clock.js';
import type { Component, ComponentStatus } from './component.js';

export interface EventLoopDelayMs {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const WINDOW_MS = 60_000;

/** A histogram's percentiles in ms (it counts in ns). */
export function summarizeDelay(h: Pick<Histogram, 'percentile' | 'max' | 'count'>): EventLoopDelayMs {
  if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0 };
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
}

/**
 * Event-loop delay in /readyz: how long the loop was late, over the last full minute, plus the
 * worst since start. A disk wait or a long computation on the main thread shows up here first
 * (MQTT, S0 pulse timing and device commands all wait behind it).
 */
export class EventLoopDelayMonitor implements Component {
  readonly name = 'event-loop';
  readonly neededForReady = false;
  private histogram: IntervalHistogram | undefined;
  private lastWindow: EventLoopDelayMs | undefined;
  private maxSinceStartMs = 0;
  private cancel: CancelTimer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly resolutionMs = 10,
  ) {}

  async start(): Promise<void> {
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    this.cancel = this.clock.every(WINDOW_MS, () => this.rotate());
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    this.histogram?.disable();
    this.histogram = undefined;
  }

  status(): ComponentStatus {
    if (!this.histogram) return { state: 'stopped' };
    const current = summarizeDelay(this.histogram);
    const maxSinceStartMs = Math.max(this.maxSinceStartMs, current.maxMs);
    // Until a minute has passed, the window so far.
    return {
      state: 'ready',
      detail: { ...(this.lastWindow ?? current), windowS: WINDOW_MS / 1000, maxSinceStartMs },
    };
  }

  private rotate(): void {
    if (!this.histogram) return;
    this.lastWindow = summarizeDelay(this.histogram);
    this.maxSinceStartMs = Math.max(this.maxSinceStartMs, this.lastWindow.maxMs);
    this.histogram.reset();
  }
}
