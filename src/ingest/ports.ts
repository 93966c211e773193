import type { ProcessStep, TimeValue } from './process-types.js';
import type { NodeReadings, Parsed } from './readings.js';

/** An input: a node's named value, with its process list. Configuration lives in SQLite. */
export interface InputRecord {
  id: number;
  node: string;
  name: string;
  description: string;
  processList: ProcessStep[];
  /** Set when the list looped and was stopped; cleared when the list is set again. */
  processListError: string | null;
}

/** An input with its last value (from Redis): time in unix seconds, null before the first. */
export interface InputState extends InputRecord {
  timeS: number | null;
  value: number | null;
}

/** Where a batch came from, for counters and logs. */
export type SourceName = 'mqtt' | 'http' | 'bulk' | 'vzlogger' | 'local';

/** What `post()` did with a batch. */
export interface PostOutcome {
  /** Values stored as input values. */
  stored: number;
  /** Values refused: unknown input while creation is off, or over a cap. */
  refused: number;
  /** Why values were refused (first reason), for the HTTP answer. */
  refusal?: string;
  /** Frames dropped by `postFrames` (the rest of the request was stored). */
  droppedFrames?: number;
  /**
   * Set when the whole post was refused because the write-behind buffer cannot take the points
   * its process lists would log: nothing of it was stored; the sender should try again later.
   */
  bufferFull?: true;
}

/** The single entry point of every source: readings → inputs → process lists → feeds. */
export interface IngestPort {
  /** Stores the whole batch, or nothing of it (also when the feeds' buffer has no room for it). */
  post(batch: readonly NodeReadings[], source: SourceName): Promise<PostOutcome>;
  /**
   * Stores each good frame, in order; a frame its parser refused, or one with a bad time or over a
   * cap, is dropped and counted (`droppedFrames`). For senders that re-send a refused body for ever.
   * Refused whole (`bufferFull`) when the feeds' buffer has no room for what the frames would log.
   */
  postFrames(frames: readonly Parsed<NodeReadings>[], source: SourceName): Promise<PostOutcome>;
}

/** Reading and managing inputs (the emoncms input API and /api/v1/inputs). */
export interface InputsPort {
  list(): InputState[];
  get(id: number): InputState | undefined;
  find(node: string, name: string): InputState | undefined;
  /** Creates an input that does not exist yet (templates, the API); returns the existing one otherwise. */
  ensure(node: string, name: string, description?: string): InputState;
  setDescription(id: number, description: string): void;
  delete(ids: readonly number[]): number;
  setProcessList(id: number, steps: readonly ProcessStep[]): void;
  /** The emoncms "Last value" of a feed (arrival time of the value that reached it). */
  feedLast(feedId: number): TimeValue | null;
}

/** Inputs' configuration store (SQLite); touched only when an input appears or a person edits one. */
export interface InputRepo {
  all(): InputRecord[];
  insert(node: string, name: string, description: string, createdAtMs: number): InputRecord;
  setDescription(id: number, description: string): void;
  setProcessList(id: number, steps: readonly ProcessStep[], error: string | null): void;
  delete(ids: readonly number[]): number;
}

/** Last values of inputs and feeds and the state of stateful processes, kept in Redis. */
export interface LiveStateStore {
  load(): Promise<LiveSnapshot>;
  write(changes: LiveSnapshot): Promise<void>;
  forgetInputs(ids: readonly number[]): Promise<void>;
}

export interface LiveSnapshot {
  inputs: Map<number, TimeValue>;
  feeds: Map<number, TimeValue>;
  processes: Map<string, TimeValue>;
}

/** What ingest needs of the feeds: does one exist, is there room, and take points into its buffer. */
export interface FeedSink {
  exists(feedId: number): boolean;
  /** Throws a UserError (BufferFullError, status 503) if the buffer cannot take `points` more. */
  admit(points: number): void;
  post(feedId: number, points: readonly { tsS: number; value: number }[], join: boolean): Promise<number>;
}

/** Publishes a message on the hub's broker (publish_to_mqtt); absent when MQTT is off. */
export type MqttPublish = (topic: string, payload: string) => void;

/** vzlogger channel UUID → input (node/name) mappings, set by an administrator. */
export interface VzChannelRepo {
  all(): VzChannel[];
  upsert(uuid: string, node: string, name: string, createdAtMs: number): void;
  delete(uuid: string): boolean;
}

export interface VzChannel {
  uuid: string;
  node: string;
  name: string;
}
