import { UserError } from '../shared/errors.js';

/**
 * New readings refused because the write-behind buffer holds its cap: the feed files have not
 * taken points for a while (a full or failing disk). Maps to HTTP 503; nothing of the batch is
 * stored, so the sender keeps it and retries (emonhub and EmonESP do).
 */
export class BufferFullError extends UserError {
  constructor(heldPoints: number, maxPoints: number, reason: string | undefined) {
    super(
      `the write-behind buffer is full (${heldPoints} of ${maxPoints} points)` +
        `${reason ? `: ${reason}` : ''}; nothing was stored`,
      503,
      'buffer_full',
    );
    this.name = 'BufferFullError';
  }
}

/**
 * How many points wait in the write-behind buffers, against a cap. Posts add to it; the flusher
 * sets it from the buffers after each flush (so it never drifts by more than one flush).
 */
export class BufferBacklog {
  heldPoints = 0;
  /** Why points are not leaving the buffer (the flusher's last write error), if they are not. */
  reason: string | undefined;

  constructor(readonly maxPoints: number) {}

  /** Throws BufferFullError if `count` more points would pass the cap. */
  admit(count: number): void {
    if (this.heldPoints + count > this.maxPoints)
      throw new BufferFullError(this.heldPoints, this.maxPoints, this.reason);
  }

  added(count: number): void {
    this.heldPoints += count;
  }

  get full(): boolean {
    return this.heldPoints >= this.maxPoints;
  }
}
