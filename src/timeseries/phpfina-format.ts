// PHPFina, byte for byte as emoncms writes it (reference/emoncms.md §1.1):
//   <id>.meta  16 bytes, little-endian uint32: 0, 0, interval, start_time (0 = no data yet)
//   <id>.dat   little-endian float32 per slot, NaN (00 00 c0 7f) for a missing value

export const META_BYTES = 16;
export const VALUE_BYTES = 4;

/** The fixed intervals emoncms offers (Lib/enum.php available_intervals). */
export const ALLOWED_INTERVALS_S = [
  1, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 18000, 21600,
  43200, 86400,
] as const;

/** emoncms refuses to pad more than this many slots in one write ("5 years at 10 s"). */
export const MAX_PADDING_SLOTS = 15_768_000;

export interface FeedMeta {
  intervalS: number;
  /** Unix seconds of slot 0; 0 while the feed has no data. */
  startTimeS: number;
}

export function isAllowedInterval(intervalS: number): boolean {
  return (ALLOWED_INTERVALS_S as readonly number[]).includes(intervalS);
}

export function encodeMeta(meta: FeedMeta): Uint8Array {
  const bytes = new Uint8Array(META_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, meta.intervalS, true);
  view.setUint32(12, meta.startTimeS, true);
  return bytes;
}

/** Reads interval and start_time from bytes 8..15; missing bytes read as 0, as emoncms does. */
export function decodeMeta(bytes: Uint8Array): FeedMeta {
  const padded = new Uint8Array(META_BYTES);
  padded.set(bytes.subarray(0, META_BYTES));
  const view = new DataView(padded.buffer);
  return { intervalS: view.getUint32(8, true), startTimeS: view.getUint32(12, true) };
}

/** Slot values as the little-endian float32 bytes of a .dat file. */
export function encodeValues(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * VALUE_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * VALUE_BYTES, values[i] as number, true);
  return bytes;
}

export function decodeValues(bytes: Uint8Array): Float32Array {
  const count = Math.floor(bytes.length / VALUE_BYTES);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * VALUE_BYTES);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * VALUE_BYTES, true);
  return out;
}

/** Slot time on the epoch grid: floor(t / interval) * interval. */
export function alignToGrid(tsS: number, intervalS: number): number {
  return Math.floor(tsS / intervalS) * intervalS;
}
