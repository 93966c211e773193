import { UserError } from '../shared/errors.js';

/**
 * New readings refused because the write-behind buffer holds its cap: the feed files have not
 * taken points for a while (a full or failing disk), or Redis is down and the in-process buffer
 * is full. Maps to HTTP 503; nothing of the batch is stored, so the sender keeps it and retries
 * (emonhub and EmonESP do).
 */
export class BufferFullError extends UserError {
  constructor(what: string, heldPoints: number, maxPoints: number, reason: string | undefined) {
    super(
      `the ${what} is full (${heldPoints} of ${maxPoints} points)` +
        `${reason ? `: ${reason}` : ''}; nothing was stored`,
      503,
      'buffer_full',
    );
    this.name = 'BufferFullError';
  }
}

/** Room left in a bounded buffer (the in-process fallback), for admission. */
export interface BoundedBuffer {
  readonly held: number;
  readonly maxPoints: number;
}

/**
 * How many points wait in the write-behind buffers, against a cap. Posts reserve their points
 * before storing them (so concurrent posts cannot pass the cap together); the flusher sets the
 * count from the buffers after each flush (so it never drifts by more than one flush).
 */
export class BufferBacklog {
  heldPoints = 0;
  /** Why points are not leaving the buffer (the flusher's last write error), if they are not. */
  reason: string | undefined;

  constructor(readonly maxPoints: number) {}

  /**
   * Throws BufferFullError if `count` more points would pass the cap, or would not fit in
   * `bounded` (the in-process buffer, when it is the one taking points: it must never drop
   * what was acknowledged).
   */
  admit(count: number, bounded?: BoundedBuffer): void {
    if (this.heldPoints + count > this.maxPoints)
      throw new BufferFullError('write-behind buffer', this.heldPoints, this.maxPoints, this.reason);
    if (bounded) admitBounded(count, bounded);
  }

  /** Counts points as held; negative to undo a reservation whose points were not stored. */
  added(count: number): void {
    this.heldPoints += count;
  }

  get full(): boolean {
    return this.heldPoints >= this.maxPoints;
  }
}

/** Throws BufferFullError if `count` more points would not fit in the in-process buffer. */
export function admitBounded(count: number, bounded: BoundedBuffer): void {
  if (bounded.held + count > bounded.maxPoints)
    throw new BufferFullError(
      'in-memory buffer',
      bounded.held,
      bounded.maxPoints,
      'Redis is unreachable and the points wait in memory',
    );
}

/** A write error as a device may see it: the errno code, never a path of this machine. */
export function publicReason(feedId: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const detail =
    typeof code === 'string'
      ? code
      : (err instanceof Error ? err.message : String(err)).replace(/'?\/[^\s',]*'?/g, '<path>');
  return `writing feed ${feedId} failed: ${detail}`;
}
