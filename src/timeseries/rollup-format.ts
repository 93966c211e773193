// Rollups: per feed and level, one record per level-sized bucket on the epoch grid holding the
// sum, count, min and max of the feed's non-missing values in it. An averaged read over a long
// range adds a few records instead of scanning every value (emoncms scans them all).
//
// <id>.r<levelS> = 16-byte header ("HUBR", levelS, firstBucket, validEndSlot; uint32 LE)
//                  + 20-byte records (sum float64, count uint32, min float32, max float32; LE).
// Slots and buckets are absolute: slot = ts / feed interval, bucket = ts / levelS. validEndSlot says
// up to which slot the records include the raw data; later slots are read raw.

export const ROLLUP_HEADER_BYTES = 16;
export const ROLLUP_RECORD_BYTES = 20;
const MAGIC = 0x52425548; // "HUBR" little-endian

/** Candidate levels; a feed uses those that hold at least 60 of its slots. */
const LEVELS_S = [600, 3600, 86400];

export function rollupLevelsFor(intervalS: number): number[] {
  return LEVELS_S.filter((levelS) => levelS % intervalS === 0 && levelS / intervalS >= 60);
}

export interface RollupHeader {
  levelS: number;
  firstBucket: number;
  validEndSlot: number;
}

export interface SumCount {
  sum: number;
  count: number;
  min: number;
  max: number;
}

export const EMPTY_SUM: SumCount = Object.freeze({ sum: 0, count: 0, min: Infinity, max: -Infinity });

export function addSums(a: SumCount, b: SumCount): SumCount {
  return {
    sum: a.sum + b.sum,
    count: a.count + b.count,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

export function sumValues(values: ArrayLike<number>, from = 0, to = values.length): SumCount {
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = values[i] as number;
    if (v !== v) continue; // NaN: missing
    sum += v;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { sum, count, min, max };
}

export function encodeRollupHeader(h: RollupHeader): Uint8Array {
  const bytes = new Uint8Array(ROLLUP_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, h.levelS, true);
  view.setUint32(8, h.firstBucket, true);
  view.setUint32(12, h.validEndSlot, true);
  return bytes;
}

export function decodeRollupHeader(bytes: Uint8Array): RollupHeader | undefined {
  if (bytes.length < ROLLUP_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, ROLLUP_HEADER_BYTES);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  return {
    levelS: view.getUint32(4, true),
    firstBucket: view.getUint32(8, true),
    validEndSlot: view.getUint32(12, true),
  };
}

export function encodeRecords(records: readonly SumCount[]): Uint8Array {
  const bytes = new Uint8Array(records.length * ROLLUP_RECORD_BYTES);
  const view = new DataView(bytes.buffer);
  records.forEach((r, i) => {
    const at = i * ROLLUP_RECORD_BYTES;
    view.setFloat64(at, r.sum, true);
    view.setUint32(at + 8, r.count, true);
    view.setFloat32(at + 12, r.count ? r.min : NaN, true);
    view.setFloat32(at + 16, r.count ? r.max : NaN, true);
  });
  return bytes;
}

/** Adds up the records in `bytes` (whole records only). */
export function sumRecords(bytes: Uint8Array): SumCount {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let at = 0; at + ROLLUP_RECORD_BYTES <= bytes.byteLength; at += ROLLUP_RECORD_BYTES) {
    const n = view.getUint32(at + 8, true);
    if (n === 0) continue;
    sum += view.getFloat64(at, true);
    count += n;
    min = Math.min(min, view.getFloat32(at + 12, true));
    max = Math.max(max, view.getFloat32(at + 16, true));
  }
  return { sum, count, min, max };
}
