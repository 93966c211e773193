import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { PostOutcome, SourceName } from './ports.js';

export interface IngestCounters {
  batches: number;
  values: number;
  inputsCreated: number;
  /** Values of refused batches and dropped frames (bad time, caps, creation off, buffer full). */
  refusedValues: number;
  /** Of refusedValues, those refused because the feeds' write-behind buffer was full. */
  bufferFullValues: number;
  /** Frames of input/bulk dropped while the rest of the body was stored (unreadable, bad time, caps). */
  droppedFrames: number;
  /** Values that were not numbers and were stored as null. */
  nullValues: number;
  processListsStopped: number;
  /** Points a process list sent to a feed that does not exist. */
  postsToMissingFeeds: number;
  feedWriteErrors: number;
  stateWriteErrors: number;
}

export const newIngestCounters = (): IngestCounters => ({
  batches: 0,
  values: 0,
  inputsCreated: 0,
  refusedValues: 0,
  bufferFullValues: 0,
  droppedFrames: 0,
  nullValues: 0,
  processListsStopped: 0,
  postsToMissingFeeds: 0,
  feedWriteErrors: 0,
  stateWriteErrors: 0,
});

const LOG_EVERY_MS = 60_000;

/**
 * Counts what happened to each settled post and says so in the log. Refusals for a full buffer
 * come from every device at once while the disk is failing: they are logged at most once a
 * minute, with how many values were refused since the last line.
 */
export class OutcomeLog {
  private bufferFull = { lastMs: -Infinity, values: 0 };

  constructor(
    private readonly counters: IngestCounters,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  record(source: SourceName, outcome: PostOutcome): void {
    this.counters.refusedValues += outcome.refused;
    if (outcome.bufferFull) {
      this.counters.bufferFullValues += outcome.refused;
      this.bufferFull.values += outcome.refused;
      const nowMs = this.clock.nowMs();
      if (nowMs - this.bufferFull.lastMs < LOG_EVERY_MS) return;
      const { values } = this.bufferFull;
      this.log.warn({ source, values, why: outcome.refusal }, 'ingest refused readings');
      this.bufferFull = { lastMs: nowMs, values: 0 };
    } else if (outcome.droppedFrames) {
      this.counters.droppedFrames += outcome.droppedFrames;
      const { droppedFrames: frames, refusal: why } = outcome;
      this.log.warn({ source, frames, why }, 'ingest dropped frames, stored the rest');
    } else if (outcome.refused) {
      this.log.warn({ source, why: outcome.refusal }, 'ingest refused a batch');
    }
  }
}
