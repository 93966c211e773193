import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError, UserError } from '../shared/errors.js';
import type { EventBus, LiveValue } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type {
  FeedSink,
  IngestPort,
  InputRecord,
  InputRepo,
  InputsPort,
  InputState,
  LiveSnapshot,
  LiveStateStore,
  MqttPublish,
  PostOutcome,
  SourceName,
} from './ports.js';
import type { AdmissionRules } from './ingest-admission.js';
import { newIngestCounters, OutcomeLog, type IngestCounters } from './ingest-counters.js';
import { emptyChanges, IngestStage, stageBatch, type Changes } from './ingest-stage.js';
import { InputRegistry } from './input-registry.js';
import type { ProcessStep, TimeValue } from './process-types.js';
import type { NodeReadings, Parsed } from './readings.js';

export interface IngestSettings extends AdmissionRules {
  timeZone: string;
}

interface Job {
  batch: readonly NodeReadings[];
  /** Each frame admitted on its own (input/bulk); otherwise the batch is admitted whole. */
  perFrame: boolean;
  /** Why the source's parser dropped frames before they got here. */
  parserDrops: readonly string[];
  source: SourceName;
  resolve(outcome: PostOutcome): void;
  reject(err: unknown): void;
}

/**
 * The one entry point of every source, over the input registry. Posts arriving in the same turn
 * of the event loop are applied together: each is staged (its values, then its process lists) and
 * committed only if the feeds' buffer has room for the points it logs; then feed points and last
 * values go to Redis in one round trip per feed, and the new values are announced on the bus. A
 * post resolves once its values are readable.
 */
export class IngestService implements IngestPort, InputsPort, Component {
  readonly name = 'ingest';
  readonly counters: IngestCounters = newIngestCounters();
  private readonly registry: InputRegistry;
  private readonly live: LiveSnapshot = { inputs: new Map(), feeds: new Map(), processes: new Map() };
  private pending: Job[] = [];
  private draining = Promise.resolve();
  private started = false;
  /** Points committed but not yet in the feeds' buffer (their post has not settled). */
  private reservedPoints = 0;
  private readonly outcomes: OutcomeLog;

  constructor(
    repo: InputRepo,
    private readonly state: LiveStateStore,
    private readonly feeds: FeedSink,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly settings: IngestSettings,
    private readonly log: Logger,
    private readonly publish?: MqttPublish,
  ) {
    this.registry = new InputRegistry(repo, bus, clock, this.counters, log);
    this.outcomes = new OutcomeLog(this.counters, clock, log);
  }

  async start(): Promise<void> {
    this.registry.load();
    try {
      const saved = await this.state.load();
      for (const [k, map] of Object.entries(saved) as [keyof LiveSnapshot, Map<never, TimeValue>][])
        for (const [id, tv] of map) (this.live[k] as Map<unknown, TimeValue>).set(id, tv);
    } catch (err) {
      this.log.warn({ err: describeError(err) }, 'last values could not be read from Redis; starting empty');
    }
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.draining;
  }

  status(): ComponentStatus {
    return {
      state: this.started ? 'ready' : 'stopped',
      detail: { inputs: this.registry.size, nodes: this.registry.nodeCount, ...this.counters },
    };
  }

  post(batch: readonly NodeReadings[], source: SourceName): Promise<PostOutcome> {
    return this.enqueue({ batch, perFrame: false, parserDrops: [], source });
  }

  postFrames(frames: readonly Parsed<NodeReadings>[], source: SourceName): Promise<PostOutcome> {
    const batch = frames.flatMap((f) => (f.ok ? [f.value] : []));
    const parserDrops = frames.flatMap((f) => (f.ok ? [] : [f.error]));
    return this.enqueue({ batch, perFrame: true, parserDrops, source });
  }

  private enqueue(job: Omit<Job, 'resolve' | 'reject'>): Promise<PostOutcome> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ ...job, resolve, reject }) === 1) setImmediate(() => this.drain());
    });
  }

  // --- inputs -------------------------------------------------------------------------------

  list(): InputState[] {
    return this.registry.all().map((i) => this.withState(i));
  }

  get(id: number): InputState | undefined {
    const input = this.registry.get(id);
    return input && this.withState(input);
  }

  find(node: string, name: string): InputState | undefined {
    const input = this.registry.find(node, name);
    return input && this.withState(input);
  }

  ensure(node: string, name: string, description = ''): InputState {
    const input = this.registry.find(node, name) ?? this.registry.create(node, name, description);
    return this.withState(input);
  }

  setDescription(id: number, description: string): void {
    this.registry.setDescription(id, description);
  }

  setProcessList(id: number, steps: readonly ProcessStep[]): void {
    this.registry.setProcessList(id, steps);
  }

  delete(ids: readonly number[]): number {
    const { known, removed } = this.registry.delete(ids);
    for (const id of known) this.live.inputs.delete(id);
    this.state.forgetInputs(known).catch((err: unknown) => {
      this.counters.stateWriteErrors++;
      this.log.warn({ err: describeError(err) }, 'could not forget deleted inputs in Redis');
    });
    return removed;
  }

  feedLast(feedId: number): TimeValue | null {
    return this.live.feeds.get(feedId) ?? null;
  }

  /** Records a value that reached a feed outside a process list (the feed post API). */
  noteFeedValue(feedId: number, value: TimeValue): void {
    const last = this.live.feeds.get(feedId);
    if (last && last.timeS > value.timeS) return;
    this.live.feeds.set(feedId, value);
    this.state
      .write({ inputs: new Map(), feeds: new Map([[feedId, value]]), processes: new Map() })
      .catch(() => {
        this.counters.stateWriteErrors++;
      });
  }

  // --- the pipeline -------------------------------------------------------------------------

  private drain(): void {
    const jobs = this.pending;
    this.pending = [];
    const changes = emptyChanges();
    const outcomes = jobs.map((job): PostOutcome | { error: unknown } => {
      try {
        return this.apply(job, changes);
      } catch (err) {
        if (!(err instanceof UserError)) return { error: err };
        return { stored: 0, refused: countValues(job.batch), refusal: err.message };
      }
    });
    const written = this.write(changes);
    // Answers go out in arrival order, each once its own values are readable.
    this.draining = this.draining
      .then(() => written)
      .then(() => {
        jobs.forEach((job, i) => {
          const outcome = outcomes[i]!;
          if ('error' in outcome) return job.reject(outcome.error);
          this.outcomes.record(job.source, outcome);
          job.resolve(outcome);
        });
      });
  }

  /**
   * Stages what admission lets through (stageBatch), then commits it only if the feeds' buffer can
   * take every point its process lists log: a post is never half-stored for want of room.
   */
  private apply(job: Job, changes: Changes): PostOutcome {
    const stage = new IngestStage(this.live, this.registry, this.settings.timeZone, (id) =>
      this.feeds.exists(id),
    );
    const outcome = stageBatch(stage, job, this.clock.nowMs() / 1000, this.settings);
    if (!job.perFrame && outcome.refusal !== undefined) return outcome; // refused whole
    const full = this.bufferRefusal(stage.pointCount);
    if (full) return { stored: 0, refused: countValues(job.batch), refusal: full, bufferFull: true };
    stage.commit(changes);
    this.reservedPoints += stage.pointCount;
    if (!job.perFrame || stage.valueCount) this.counters.batches++;
    this.counters.values += stage.valueCount;
    this.counters.nullValues += stage.nullValues;
    this.counters.postsToMissingFeeds += stage.postsToMissingFeeds;
    outcome.stored = stage.valueCount;
    return outcome;
  }

  /** Why the feeds' buffer cannot take `points` more, beside those already on their way to it. */
  private bufferRefusal(points: number): string | undefined {
    // Values that log nothing (no process list) never reach the buffer: they are always taken.
    if (points === 0) return undefined;
    try {
      this.feeds.admit(this.reservedPoints + points);
      return undefined;
    } catch (err) {
      if (err instanceof UserError) return err.message;
      throw err;
    }
  }

  private async write(changes: Changes): Promise<void> {
    const feedWrites = [...changes.points.values()].map(({ feedId, join, points }) =>
      this.feeds
        .post(feedId, points, join)
        .catch((err: unknown) => {
          // Admitted in apply(): only a race with the feed API for the buffer's last room, or a
          // buffer that fails (Redis gone and the memory fallback full), gets here.
          this.counters.feedWriteErrors += points.length;
          this.log.error({ feedId, err: describeError(err) }, 'points from a process list were not stored');
        })
        .finally(() => {
          this.reservedPoints -= points.length;
        }),
    );
    const stateWrite = this.state.write(changes).catch((err: unknown) => {
      this.counters.stateWriteErrors++;
      this.log.warn({ err: describeError(err) }, 'last values not written to Redis (kept in memory)');
    });
    await Promise.all([...feedWrites, stateWrite]);
    for (const { topic, payload } of changes.publishes) this.publish?.(topic, payload);
    if (changes.inputs.size || changes.feeds.size)
      this.bus.emit('ingest.updated', { inputs: toLive(changes.inputs), feeds: toLive(changes.feeds) });
  }

  private withState(input: InputRecord): InputState {
    const tv = this.live.inputs.get(input.id);
    return {
      ...input,
      processList: [...input.processList],
      timeS: tv?.timeS ?? null,
      value: tv?.value ?? null,
    };
  }
}

function countValues(batch: readonly NodeReadings[]): number {
  return batch.reduce((n, r) => n + r.values.length, 0);
}

function toLive(map: Map<number, TimeValue>): LiveValue[] {
  return [...map].map(([id, tv]) => ({ id, timeS: tv.timeS, value: tv.value }));
}
