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
import { runProcessList } from './process-executor.js';
import type { ProcessContext, ProcessStep, TimeValue } from './process-types.js';
import type { NodeReadings } from './readings.js';

export interface IngestSettings {
  /** Create an input the first time a node/name is seen. */
  createInputs: boolean;
  maxNodes: number;
  maxInputsPerNode: number;
  /** Readings stamped further than this into the future are refused. */
  maxFutureS: number;
  timeZone: string;
}

export interface IngestCounters {
  batches: number;
  values: number;
  inputsCreated: number;
  /** Values of refused batches (bad time, caps, creation off). */
  refusedValues: number;
  /** Values that were not numbers and were stored as null. */
  nullValues: number;
  processListsStopped: number;
  /** Points a process list sent to a feed that does not exist. */
  postsToMissingFeeds: number;
  feedWriteErrors: number;
  stateWriteErrors: number;
}

interface Job {
  batch: readonly NodeReadings[];
  source: SourceName;
  resolve(outcome: PostOutcome): void;
  reject(err: unknown): void;
}

/** What one drain changed, written to Redis and announced together. */
interface Changes extends LiveSnapshot {
  points: Map<string, { feedId: number; join: boolean; points: { tsS: number; value: number }[] }>;
  publishes: { topic: string; payload: string }[];
}

const key = (node: string, name: string) => `${node}\u0000${name}`;

/**
 * The input registry and the one entry point of every source. Posts arriving in the same turn of
 * the event loop are applied together: each batch stores all its input values, then runs their
 * process lists; then feed points and last values go to Redis in one round trip per feed, and the
 * new values are announced on the bus. A post resolves once its values are readable.
 */
export class IngestService implements IngestPort, InputsPort, Component {
  readonly name = 'ingest';
  readonly counters: IngestCounters = {
    batches: 0,
    values: 0,
    inputsCreated: 0,
    refusedValues: 0,
    nullValues: 0,
    processListsStopped: 0,
    postsToMissingFeeds: 0,
    feedWriteErrors: 0,
    stateWriteErrors: 0,
  };
  private readonly inputs = new Map<number, InputRecord>();
  private readonly byName = new Map<string, number>();
  private readonly inputsPerNode = new Map<string, number>();
  private readonly live: LiveSnapshot = { inputs: new Map(), feeds: new Map(), processes: new Map() };
  private pending: Job[] = [];
  private draining = Promise.resolve();
  private started = false;

  constructor(
    private readonly repo: InputRepo,
    private readonly state: LiveStateStore,
    private readonly feeds: FeedSink,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly settings: IngestSettings,
    private readonly log: Logger,
    private readonly publish?: MqttPublish,
  ) {}

  async start(): Promise<void> {
    for (const input of this.repo.all()) this.remember(input);
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
      detail: { inputs: this.inputs.size, nodes: this.inputsPerNode.size, ...this.counters },
    };
  }

  post(batch: readonly NodeReadings[], source: SourceName): Promise<PostOutcome> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ batch, source, resolve, reject }) === 1) setImmediate(() => this.drain());
    });
  }

  // --- inputs -------------------------------------------------------------------------------

  list(): InputState[] {
    return [...this.inputs.values()].map((i) => this.withState(i));
  }

  get(id: number): InputState | undefined {
    const input = this.inputs.get(id);
    return input && this.withState(input);
  }

  find(node: string, name: string): InputState | undefined {
    const id = this.byName.get(key(node, name));
    return id === undefined ? undefined : this.get(id);
  }

  ensure(node: string, name: string, description = ''): InputState {
    const existing = this.find(node, name);
    if (existing) return existing;
    return this.withState(this.create(node, name, description));
  }

  setDescription(id: number, description: string): void {
    const input = this.require(id);
    this.repo.setDescription(id, description);
    input.description = description;
  }

  setProcessList(id: number, steps: readonly ProcessStep[]): void {
    const input = this.require(id);
    this.repo.setProcessList(id, steps, null);
    input.processList = [...steps];
    input.processListError = null;
  }

  delete(ids: readonly number[]): number {
    const known = ids.filter((id) => this.inputs.has(id));
    const removed = this.repo.delete(known);
    for (const id of known) {
      const input = this.inputs.get(id)!;
      this.inputs.delete(id);
      this.byName.delete(key(input.node, input.name));
      const left = (this.inputsPerNode.get(input.node) ?? 1) - 1;
      if (left > 0) this.inputsPerNode.set(input.node, left);
      else this.inputsPerNode.delete(input.node);
      this.live.inputs.delete(id);
    }
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
    const changes: Changes = {
      inputs: new Map(),
      feeds: new Map(),
      processes: new Map(),
      points: new Map(),
      publishes: [],
    };
    const outcomes = jobs.map((job): PostOutcome | { error: unknown } => {
      try {
        return this.apply(job.batch, changes);
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
          if (outcome.refused) {
            this.counters.refusedValues += outcome.refused;
            this.log.warn({ source: job.source, why: outcome.refusal }, 'ingest refused a batch');
          }
          job.resolve(outcome);
        });
      });
  }

  /** Checks the whole batch first (nothing of a refused batch is stored), then stores and runs it. */
  private apply(batch: readonly NodeReadings[], changes: Changes): PostOutcome {
    const nowS = this.clock.nowMs() / 1000;
    const newNames = new Map<string, Set<string>>();
    for (const r of batch) {
      if (!Number.isFinite(r.timeS) || r.timeS < 0)
        throw new UserError(`time of node ${r.node} is not a unix time`);
      if (r.timeS > nowS + this.settings.maxFutureS)
        throw new UserError(`time ${r.timeS} of node ${r.node} is too far in the future`);
      for (const { name } of r.values)
        if (!this.byName.has(key(r.node, name))) {
          let names = newNames.get(r.node);
          if (!names) newNames.set(r.node, (names = new Set()));
          names.add(name);
        }
    }
    this.checkCreation(newNames);

    this.counters.batches++;
    let stored = 0;
    for (const r of batch) {
      const toRun: { input: InputRecord; value: number | null }[] = [];
      for (const { name, value } of r.values) {
        let input = this.inputs.get(this.byName.get(key(r.node, name)) ?? -1);
        const isNew = !input;
        input ??= this.create(r.node, name, '');
        const tv = { timeS: r.timeS, value };
        this.live.inputs.set(input.id, tv);
        changes.inputs.set(input.id, tv);
        if (value === null) this.counters.nullValues++;
        // emoncms runs a list only for inputs that existed before this request.
        if (!isNew && input.processList.length && !input.processListError) toRun.push({ input, value });
        stored++;
      }
      const ctx = this.context(changes);
      for (const { input, value } of toRun) {
        const outcome = runProcessList(input.processList, value, r.timeS, ctx);
        if (outcome.looped) this.stopList(input);
      }
    }
    this.counters.values += stored;
    return { stored, refused: 0 };
  }

  private checkCreation(newNames: Map<string, Set<string>>): void {
    if (newNames.size === 0) return;
    const first = [...newNames].map(([node, names]) => `${node}/${[...names][0]}`)[0];
    if (!this.settings.createInputs)
      throw new UserError(`input ${first} does not exist and creating inputs is turned off`);
    const newNodes = [...newNames.keys()].filter((n) => !this.inputsPerNode.has(n)).length;
    if (this.inputsPerNode.size + newNodes > this.settings.maxNodes)
      throw new UserError(
        `Reached the maximal allowed number of different NodeIds (${this.settings.maxNodes})`,
      );
    for (const [node, names] of newNames)
      if ((this.inputsPerNode.get(node) ?? 0) + names.size > this.settings.maxInputsPerNode)
        throw new UserError(
          `Reached the maximal allowed number of inputs for node ${node} (${this.settings.maxInputsPerNode})`,
        );
  }

  private context(changes: Changes): ProcessContext {
    return {
      timeZone: this.settings.timeZone,
      inputValue: (id) => this.live.inputs.get(id)?.value ?? null,
      feedLast: (id) => this.live.feeds.get(id) ?? null,
      postToFeed: (feedId, timeS, value, join, feedTimeS = timeS) => {
        if (!this.feeds.exists(feedId)) {
          this.counters.postsToMissingFeeds++;
          return;
        }
        const tv = { timeS, value };
        this.live.feeds.set(feedId, tv);
        changes.feeds.set(feedId, tv);
        const group = `${feedId}:${join}`;
        let entry = changes.points.get(group);
        if (!entry) changes.points.set(group, (entry = { feedId, join, points: [] }));
        entry.points.push({ tsS: feedTimeS, value: value ?? NaN });
      },
      getState: (k) => this.live.processes.get(k),
      setState: (k, tv) => {
        this.live.processes.set(k, tv);
        changes.processes.set(k, tv);
      },
      publish: (topic, value) =>
        changes.publishes.push({ topic, payload: value === null ? '' : String(value) }),
    };
  }

  private async write(changes: Changes): Promise<void> {
    const feedWrites = [...changes.points.values()].map(({ feedId, join, points }) =>
      this.feeds.post(feedId, points, join).catch((err: unknown) => {
        this.counters.feedWriteErrors += points.length;
        this.log.error({ feedId, err: describeError(err) }, 'points from a process list were not stored');
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

  private create(node: string, name: string, description: string): InputRecord {
    const input = this.repo.insert(node, name, description, this.clock.nowMs());
    const newNode = !this.inputsPerNode.has(node);
    this.remember(input);
    this.counters.inputsCreated++;
    if (newNode) this.bus.emit('ingest.node.created', { node });
    this.bus.emit('ingest.input.created', { id: input.id, node, name });
    return input;
  }

  private remember(input: InputRecord): void {
    this.inputs.set(input.id, input);
    this.byName.set(key(input.node, input.name), input.id);
    this.inputsPerNode.set(input.node, (this.inputsPerNode.get(input.node) ?? 0) + 1);
  }

  private stopList(input: InputRecord): void {
    const reason = `the process list looped (more than ${2 * input.processList.length} steps) and was stopped`;
    input.processListError = reason;
    this.repo.setProcessList(input.id, input.processList, reason);
    this.counters.processListsStopped++;
    this.log.warn({ inputId: input.id, node: input.node, name: input.name }, reason);
    this.bus.emit('ingest.processlist.stopped', { inputId: input.id, reason });
  }

  private require(id: number): InputRecord {
    const input = this.inputs.get(id);
    if (!input) throw new UserError(`input ${id} does not exist`, 404, 'input_not_found');
    return input;
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
