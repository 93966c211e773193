import type { BufferedPoint } from './ports.js';

// Buffered points as short strings: "<tsS>,<value>[,j]". A float64 written by String() reads back
// exactly; "NaN" is a missing value.

export function encodePoint(p: BufferedPoint): string {
  return `${p.tsS},${p.value}${p.join ? ',j' : ''}`;
}

export function decodePoint(text: string): BufferedPoint | undefined {
  const [ts, value, flag] = text.split(',');
  const tsS = Number(ts);
  const v = Number(value);
  if (!Number.isInteger(tsS) || (value !== 'NaN' && !Number.isFinite(v))) return undefined;
  return { tsS, value: v, join: flag === 'j' };
}
