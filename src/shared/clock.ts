/** Time source injected into every component, so tests can move time by hand. */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to; for tests and simulations. */
export class ManualClock implements Clock {
  constructor(private tsMs: number) {}
  nowMs(): number {
    return this.tsMs;
  }
  advanceMs(deltaMs: number): void {
    this.tsMs += deltaMs;
  }
}
