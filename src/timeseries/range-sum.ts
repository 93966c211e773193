import { addSums, EMPTY_SUM, type SumCount } from './rollup-format.js';

/** What the decomposition needs from storage: raw slots and rollup records, by absolute index. */
export interface SumSource {
  /** Sum of raw values over absolute slots [from, to). */
  raw(from: number, to: number): SumCount;
  /** Levels usable for [from, to): slots per bucket, coarsest first, each with its valid extent. */
  levels: readonly { slotsPerBucket: number; levelIndex: number; fromSlot: number; toSlot: number }[];
  /** Sum of a level's records over absolute buckets [from, to). */
  records(levelIndex: number, from: number, to: number): SumCount;
}

/**
 * Sum over absolute slots [from, to): whole buckets of the coarsest level that fits, the edges
 * from finer levels, and raw slots only for what no bucket covers.
 */
export function sumRange(source: SumSource, from: number, to: number, minLevel = 0): SumCount {
  if (to <= from) return EMPTY_SUM;
  for (let i = minLevel; i < source.levels.length; i++) {
    const level = source.levels[i]!;
    const lo = Math.max(from, level.fromSlot);
    const hi = Math.min(to, level.toSlot);
    const k = level.slotsPerBucket;
    const firstBucket = Math.ceil(lo / k);
    const endBucket = Math.floor(hi / k);
    if (firstBucket >= endBucket) continue;
    const middle = source.records(level.levelIndex, firstBucket, endBucket);
    const left = sumRange(source, from, firstBucket * k, i + 1);
    const right = sumRange(source, endBucket * k, to, i + 1);
    return addSums(addSums(left, middle), right);
  }
  return source.raw(from, to);
}
