import { ReadError, type Sample } from './read-query.js';

// What crosses between hubd's main thread and the feed-files worker: requests, answers, errors.

export type FeedStoreOp =
  | 'writePoints'
  | 'delete'
  | 'clear'
  | 'trim'
  | 'persistRollups'
  | 'rebuildRollups'
  | 'repair'
  | 'importData'
  | 'exportBytes'
  | 'query'
  | 'lastValue'
  | 'valueAt'
  | 'dropReadCache';

export interface FeedStoreRequest {
  seq: number;
  op: FeedStoreOp;
  args: unknown[];
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  syscall?: string;
  path?: string;
}

export type FeedStoreAnswer =
  { seq: number; ok: true; value: unknown } | { seq: number; ok: false; error: SerializedError };

/** The worker's first message: its read path is warm and it takes operations. */
export interface FeedStoreReady {
  ready: true;
}

/** Keeps what callers look at: ReadError's type, an errno code (ENOSPC, EIO) and the message. */
export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const { code, syscall, path } = err as NodeJS.ErrnoException;
  return { name: err.name, message: err.message, code, syscall, path };
}

export function deserializeError(e: SerializedError): Error {
  if (e.name === 'ReadError') return new ReadError(e.message);
  const err: NodeJS.ErrnoException = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  if (e.syscall !== undefined) err.syscall = e.syscall;
  if (e.path !== undefined) err.path = e.path;
  return err;
}

/** Samples as one transferable array (time, value; NaN for null): cheaper than cloning pairs. */
export function packSamples(samples: readonly Sample[]): Float64Array {
  const out = new Float64Array(samples.length * 2);
  samples.forEach(([t, v], i) => {
    out[2 * i] = t;
    out[2 * i + 1] = v ?? NaN;
  });
  return out;
}

export function unpackSamples(packed: Float64Array): Sample[] {
  const out: Sample[] = new Array<Sample>(packed.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = packed[2 * i + 1]!;
    out[i] = [packed[2 * i]!, v === v ? v : null];
  }
  return out;
}
