// The shapes shared by the process catalogue, the list codec, the executor and the ingest service.
// Facts: reference/emoncms.md §2.6 (ids, argument types, semantics).

/** What a process step's argument names: a feed id, an input id, a number, a topic, or nothing. */
export type ArgType = 'feed' | 'input' | 'value' | 'text' | 'none';

/** One step of an input's process list, with its emoncms numeric id. */
export interface ProcessStep {
  id: number;
  /** Feed or input id, number, or text, by the process's ArgType; absent for 'none'. */
  arg?: number | string;
}

/** The last arrival of a value: unix seconds and the value (null = no value). */
export interface TimeValue {
  timeS: number;
  value: number | null;
}

/**
 * What a process function may see and do. The ingest service implements it over its in-memory
 * mirrors of Redis state; unit tests implement it over plain maps. Functions never do I/O.
 */
export interface ProcessContext {
  /** IANA zone for per-day processes (power_to_kwhd). */
  readonly timeZone: string;
  /** Last value of another input (this message's values are already stored). */
  inputValue(inputId: number): number | null;
  /** The feed's last posted arrival time and value (emoncms `feed:<id>` time/value). */
  feedLast(feedId: number): TimeValue | null;
  /**
   * Posts a value to a feed; feedLast(feedId) returns it (at arrival `timeS`) immediately after.
   * `feedTimeS` is the slot to store it in when that differs (daily processes use midnight).
   */
  postToFeed(feedId: number, timeS: number, value: number | null, join: boolean, feedTimeS?: number): void;
  /** Per-feed state of stateful processes (wh_accumulator, kwh_to_power), keyed by process and feed. */
  getState(key: string): TimeValue | undefined;
  setState(key: string, state: TimeValue): void;
  /** Queues a publish of the value to an MQTT topic (publish_to_mqtt). */
  publish(topic: string, value: number | null): void;
}

/** What running one process step decided: the value flowing on, and whether to skip or jump. */
export type StepOutcome =
  | { value: number | null }
  | { value: number | null; skipNext: true }
  | { value: number | null; goto: number };

export interface ProcessDef {
  id: number;
  /** emoncms's function name, e.g. "log_to_feed". */
  name: string;
  /** emoncms's key for lists stored by name, e.g. "process__log_to_feed". */
  key: string;
  /** Label for people, e.g. "Log to feed". */
  label: string;
  argType: ArgType;
  /**
   * Runs the step: `value` flowing in, `timeS` of the input's message, `initial` the input's
   * original value (reset2original).
   */
  run(
    arg: number | string | undefined,
    timeS: number,
    value: number | null,
    ctx: ProcessContext,
    initial: number | null,
  ): StepOutcome;
}

/** The result of running a whole list. */
export interface ListOutcome {
  value: number | null;
  /** Set when the list ran more than 2 × its length steps (a goto loop): it was stopped. */
  looped: boolean;
}
