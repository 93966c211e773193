// What every source turns its payload into before it reaches the input registry.

/** One named value of a node; null when the source sent something that is not a number. */
export interface Reading {
  name: string;
  value: number | null;
}

/** The values of one node at one time: the argument of the single entry point `post()`. */
export interface NodeReadings {
  node: string;
  /** Unix seconds. */
  timeS: number;
  values: Reading[];
}

/** A parser's answer: the readings, or the message a person (or emoncms client) reads. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const refused = <T = never>(error: string): Parsed<T> => ({ ok: false, error });
