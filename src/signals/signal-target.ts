// What a household optimises: one signal or a weighted mix (docs/demand-shaper.md, Signals). Each
// signal is scaled to 0..1 over the common horizon (min–max, flipped for optimise 'max') before
// weighting, so pence and gCO2 mix; the result is one cost series, lower is better. Pure.
import { z } from 'zod';
import { SIGNAL_NAME, signalEndS, valueAt, type Signal } from './signal.js';

export const targetSchema = z.strictObject({
  terms: z
    .array(
      z.strictObject({
        signal: z.string().regex(SIGNAL_NAME, { error: 'a signal name such as "price" (a-z, 0-9, -)' }),
        weight: z.number().min(0).max(100),
      }),
    )
    .min(1, { error: 'at least one signal' })
    .max(8)
    .refine((terms) => new Set(terms.map((t) => t.signal)).size === terms.length, {
      error: 'each signal at most once',
    })
    .refine((terms) => terms.some((t) => t.weight > 0), { error: 'at least one weight above 0' }),
});

export type OptimisationTarget = z.infer<typeof targetSchema>;

/** The default: the gateway's day-ahead price. */
export const DEFAULT_TARGET: OptimisationTarget = { terms: [{ signal: 'price', weight: 1 }] };

export interface CombinedSignal {
  /** Undefined when none of the target's signals is there: there is no made-up flat series. */
  signal: Signal | undefined;
  /** Signals the target names that are not available (the app says so). */
  missing: string[];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Scales to 0..1 (best = 0); a flat series is 0 throughout: it cannot tell one slot from another. */
export function normalise(values: readonly number[], optimise: 'min' | 'max'): number[] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (!(hi > lo)) return values.map(() => 0);
  return values.map((v) => (optimise === 'min' ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo)));
}

/**
 * One series over the horizon every available signal covers (from the latest start to the
 * earliest end), on the finest slot that fits all of them: Σ weight × normalised / Σ weight.
 */
export function combineSignals(
  target: OptimisationTarget,
  signals: ReadonlyMap<string, Signal>,
): CombinedSignal {
  const missing = target.terms.filter((t) => !signals.has(t.signal)).map((t) => t.signal);
  const used = target.terms.filter((t) => t.weight > 0 && signals.has(t.signal));
  if (used.length === 0) return { signal: undefined, missing };
  const parts = used.map((t) => ({ weight: t.weight, signal: signals.get(t.signal)! }));
  // One signal needs no scaling (an affine change plans the same) and keeps its unit, so that a
  // plan's cost reads in pence or grams.
  if (parts.length === 1) return { signal: parts[0]!.signal, missing };
  const intervalS = parts.map((p) => p.signal.intervalS).reduce(gcd);
  const startS = Math.max(...parts.map((p) => p.signal.startS));
  const endS = Math.min(...parts.map((p) => signalEndS(p.signal)));
  if (endS <= startS) return { signal: undefined, missing };
  const slots = Math.floor((endS - startS) / intervalS);
  const totalWeight = parts.reduce((sum, p) => sum + p.weight, 0);
  const values = new Array<number>(slots).fill(0);
  for (const { weight, signal } of parts) {
    const raw = Array.from({ length: slots }, (_, i) => valueAt(signal, startS + i * intervalS)!);
    normalise(raw, signal.optimise).forEach((v, i) => (values[i]! += (weight * v) / totalWeight));
  }
  return {
    signal: {
      startS,
      intervalS,
      values,
      unit: 'score',
      optimise: 'min',
      source: `target:${parts.map((p, i) => `${used[i]!.signal}×${p.weight}`).join('+')}`,
      receivedAtS: Math.max(...parts.map((p) => p.signal.receivedAtS)),
    },
    missing,
  };
}
