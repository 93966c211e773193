import { admissionProblem, type AdmissionRules, type KnownInputs } from './ingest-admission.js';
import { inputKey, type InputRegistry } from './input-registry.js';
import type { InputRecord, LiveSnapshot, PostOutcome } from './ports.js';
import { runProcessList } from './process-executor.js';
import type { ProcessContext, TimeValue } from './process-types.js';
import type { NodeReadings } from './readings.js';

/** Points for one feed, posted to its buffer in one call. */
export interface FeedPoints {
  feedId: number;
  join: boolean;
  points: { tsS: number; value: number }[];
}

/** What one drain changed, written to Redis and announced together. */
export interface Changes extends LiveSnapshot {
  points: Map<string, FeedPoints>;
  publishes: { topic: string; payload: string }[];
}

export const emptyChanges = (): Changes => ({
  inputs: new Map(),
  feeds: new Map(),
  processes: new Map(),
  points: new Map(),
  publishes: [],
});

/**
 * Admits a batch whole (nothing of a refused batch is staged) or, for input/bulk (`perFrame`),
 * frame by frame in order, so a frame sees the inputs earlier frames would create; stages what it
 * admitted. `stored` is left for the caller, which decides whether the stage is committed.
 */
export function stageBatch(
  stage: IngestStage,
  job: { batch: readonly NodeReadings[]; perFrame: boolean; parserDrops: readonly string[] },
  nowS: number,
  rules: AdmissionRules,
): PostOutcome {
  const problem = (frames: readonly NodeReadings[]) => admissionProblem(frames, nowS, rules, stage.known);
  if (!job.perFrame) {
    const why = problem(job.batch);
    if (why) return { stored: 0, refused: job.batch.reduce((n, r) => n + r.values.length, 0), refusal: why };
    for (const frame of job.batch) stage.storeFrame(frame);
    return { stored: 0, refused: 0 };
  }
  const outcome: PostOutcome = { stored: 0, refused: 0, droppedFrames: job.parserDrops.length };
  if (job.parserDrops.length) outcome.refusal = job.parserDrops[0];
  for (const frame of job.batch) {
    const why = problem([frame]);
    if (why === undefined) stage.storeFrame(frame);
    else {
      outcome.droppedFrames!++;
      outcome.refused += frame.values.length;
      outcome.refusal ??= why;
    }
  }
  return outcome;
}

interface StagedValue {
  node: string;
  name: string;
  /** Undefined for an input this post creates (created on commit). */
  id: number | undefined;
  tv: TimeValue;
}

/**
 * What one post would change, held apart from the live state: its input values (and the inputs
 * it would create), what its process lists post, publish and remember. Reads see the staged values
 * over the live ones, so lists behave as if the post were stored. The service commits the stage
 * once the post is admitted whole (the buffer has room for its points), or drops it.
 */
export class IngestStage implements ProcessContext {
  private readonly values = new Map<string, StagedValue>();
  private readonly byId = new Map<number, TimeValue>();
  private readonly newPerNode = new Map<string, number>();
  private readonly feeds = new Map<number, TimeValue>();
  private readonly processes = new Map<string, TimeValue>();
  private readonly points = new Map<string, FeedPoints>();
  private readonly publishes: Changes['publishes'] = [];
  private readonly looped = new Set<InputRecord>();
  /** Points the process lists would add to the write-behind buffer. */
  pointCount = 0;
  valueCount = 0;
  nullValues = 0;
  postsToMissingFeeds = 0;
  /** The registry's inputs and those this post would create, for admitting later frames. */
  readonly known: KnownInputs = {
    has: (node, name) => this.registry.known.has(node, name) || this.values.has(inputKey(node, name)),
    nodeCount: () =>
      this.registry.known.nodeCount() +
      [...this.newPerNode.keys()].filter((n) => this.registry.known.inputCount(n) === 0).length,
    inputCount: (node) => this.registry.known.inputCount(node) + (this.newPerNode.get(node) ?? 0),
  };

  constructor(
    private readonly live: LiveSnapshot,
    private readonly registry: InputRegistry,
    readonly timeZone: string,
    private readonly feedExists: (feedId: number) => boolean,
  ) {}

  /** Stages one node's values, then runs the lists of inputs that existed before (as emoncms). */
  storeFrame(r: NodeReadings): void {
    const toRun: { input: InputRecord; value: number | null }[] = [];
    for (const { name, value } of r.values) {
      const k = inputKey(r.node, name);
      const tv = { timeS: r.timeS, value };
      const input = this.registry.find(r.node, name);
      const staged = this.values.get(k);
      if (!input && !staged) this.newPerNode.set(r.node, (this.newPerNode.get(r.node) ?? 0) + 1);
      this.values.set(k, { node: r.node, name, id: input?.id, tv });
      if (input) this.byId.set(input.id, tv);
      if (value === null) this.nullValues++;
      // emoncms runs a list only for inputs that existed before this request.
      if (input?.processList.length && !input.processListError && !this.looped.has(input))
        toRun.push({ input, value });
    }
    for (const { input, value } of toRun)
      if (runProcessList(input.processList, value, r.timeS, this).looped) this.looped.add(input);
    this.valueCount += r.values.length;
  }

  /** Makes the staged changes live: creates new inputs, stops looped lists, adds to `changes`. */
  commit(changes: Changes): void {
    for (const { node, name, id, tv } of this.values.values()) {
      const inputId = id ?? this.registry.create(node, name, '').id;
      this.live.inputs.set(inputId, tv);
      changes.inputs.set(inputId, tv);
    }
    for (const [id, tv] of this.feeds) {
      this.live.feeds.set(id, tv);
      changes.feeds.set(id, tv);
    }
    for (const [k, tv] of this.processes) {
      this.live.processes.set(k, tv);
      changes.processes.set(k, tv);
    }
    for (const [group, { feedId, join, points }] of this.points) {
      const entry = changes.points.get(group);
      if (entry) entry.points.push(...points);
      else changes.points.set(group, { feedId, join, points });
    }
    changes.publishes.push(...this.publishes);
    for (const input of this.looped) this.registry.stopList(input);
  }

  // --- ProcessContext: the staged values over the live ones ---------------------------------

  inputValue(inputId: number): number | null {
    return (this.byId.get(inputId) ?? this.live.inputs.get(inputId))?.value ?? null;
  }

  feedLast(feedId: number): TimeValue | null {
    return this.feeds.get(feedId) ?? this.live.feeds.get(feedId) ?? null;
  }

  postToFeed(feedId: number, timeS: number, value: number | null, join: boolean, feedTimeS = timeS): void {
    if (!this.feedExists(feedId)) {
      this.postsToMissingFeeds++;
      return;
    }
    this.feeds.set(feedId, { timeS, value });
    const group = `${feedId}:${join}`;
    let entry = this.points.get(group);
    if (!entry) this.points.set(group, (entry = { feedId, join, points: [] }));
    entry.points.push({ tsS: feedTimeS, value: value ?? NaN });
    this.pointCount++;
  }

  getState(key: string): TimeValue | undefined {
    return this.processes.get(key) ?? this.live.processes.get(key);
  }

  setState(key: string, state: TimeValue): void {
    this.processes.set(key, state);
  }

  publish(topic: string, value: number | null): void {
    this.publishes.push({ topic, payload: value === null ? '' : String(value) });
  }
}
