/** What /readyz reports for one component. */
export type ComponentState = 'stopped' | 'starting' | 'ready' | 'degraded' | 'down';

export interface ComponentStatus {
  state: ComponentState;
  /** Extra facts shown in /readyz (ports, counters, the reason it is down). */
  detail?: Record<string, unknown>;
}

/** A long-lived part of hubd. The hub starts components in order and stops them in reverse. */
export interface Component {
  readonly name: string;
  /** false: its trouble shows in /readyz but never makes the hub not ready (the log sink). */
  readonly neededForReady?: boolean;
  /**
   * When start() throws: 'down' (the default) marks it down with the reason and the rest start;
   * 'retry' does that and starts it again with backoff (a port another program holds);
   * 'fatal' ends start-up (nothing works without it: the database).
   */
  readonly onStartFailure?: 'down' | 'retry' | 'fatal';
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ComponentStatus;
}
