import { wallClock } from '../shared/zoned-time.js';
import type { EnergySlot } from './tariff.js';

/**
 * Energy per slot from averaged power samples ([slot start s, mean W | null]): a missing slot is
 * no energy, and the slot still running counts only up to `nowS`.
 */
export function energySlots(
  samples: readonly (readonly [number, number | null])[],
  slotS: number,
  nowS: number,
  timeZone: string,
): EnergySlot[] {
  return samples.flatMap(([startS, powerW]) => {
    if (powerW === null || startS >= nowS) return [];
    const seconds = Math.min(slotS, nowS - startS);
    const w = wallClock(startS, timeZone);
    return [{ minuteOfDay: w.hour * 60 + w.minute, energyKWh: (powerW * seconds) / 3_600_000 }];
  });
}
