import { wallClock } from '../shared/zoned-time.js';
import { bandAt, type EnergySlot, type Tariff } from './tariff.js';

/**
 * Energy per slot from averaged power samples ([slot start s, mean W | null]): a missing slot is
 * no energy, and the slot still running counts only up to `nowS`.
 */
export function energySlots(
  samples: readonly (readonly [number, number | null])[],
  slotS: number,
  nowS: number,
  timeZone: string,
): (EnergySlot & { startS: number })[] {
  return samples.flatMap(([startS, powerW]) => {
    if (powerW === null || startS >= nowS) return [];
    const seconds = Math.min(slotS, nowS - startS);
    const w = wallClock(startS, timeZone);
    return [{ startS, minuteOfDay: w.hour * 60 + w.minute, energyKWh: (powerW * seconds) / 3_600_000 }];
  });
}

export interface DayEnergy {
  startS: number;
  energyKWh: number;
  /** Energy only, VAT included (the standing charge is per period). */
  costMinor: number;
}

/** Slots (with their start times) summed per local day; `dayOf` gives a slot's local midnight. */
export function energyByDay(
  tariff: Tariff,
  slots: readonly (EnergySlot & { startS: number })[],
  dayOf: (tsS: number) => number,
): DayEnergy[] {
  const vat = 1 + tariff.vatPercent / 100;
  const days = new Map<number, DayEnergy>();
  for (const slot of slots) {
    const startS = dayOf(slot.startS);
    let day = days.get(startS);
    if (!day) days.set(startS, (day = { startS, energyKWh: 0, costMinor: 0 }));
    day.energyKWh += slot.energyKWh;
    day.costMinor += slot.energyKWh * bandAt(tariff, slot.minuteOfDay).priceMinorPerKWh * vat;
  }
  return [...days.values()].sort((a, b) => a.startS - b.startS);
}
