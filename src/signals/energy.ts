import { wallClock } from '../shared/zoned-time.js';
import { balanceSlot, selfConsumption, selfSufficiency, sumFlows, type FlowSlot } from './energy-flows.js';
import type { HouseholdRole } from './household-feeds.js';
import { costOf, type EnergySlot, type Tariff } from './tariff.js';

type Samples = readonly (readonly [number, number | null])[];

/**
 * Energy per slot from averaged power samples ([slot start s, mean W | null]): a missing slot is
 * no energy, and the slot still running counts only up to `nowS`.
 */
export function energySlots(
  samples: Samples,
  slotS: number,
  nowS: number,
  timeZone: string,
): { startS: number; minuteOfDay: number; energyKWh: number }[] {
  return samples.flatMap(([startS, powerW]) => {
    if (powerW === null || startS >= nowS) return [];
    const seconds = Math.min(slotS, nowS - startS);
    const w = wallClock(startS, timeZone);
    return [{ startS, minuteOfDay: w.hour * 60 + w.minute, energyKWh: (powerW * seconds) / 3_600_000 }];
  });
}

/**
 * The household's slots from each role's power samples (read over the same range and interval): a
 * slot exists where any feed has data; what a slot's feeds do not give comes from the balance.
 */
export function flowSlots(
  samplesByRole: Partial<Record<HouseholdRole, Samples>>,
  slotS: number,
  nowS: number,
  timeZone: string,
): FlowSlot[] {
  const bySlot = new Map<number, { minuteOfDay: number; energies: Partial<Record<HouseholdRole, number>> }>();
  for (const [role, samples] of Object.entries(samplesByRole) as [HouseholdRole, Samples][]) {
    for (const slot of energySlots(samples, slotS, nowS, timeZone)) {
      let entry = bySlot.get(slot.startS);
      if (!entry) bySlot.set(slot.startS, (entry = { minuteOfDay: slot.minuteOfDay, energies: {} }));
      entry.energies[role] = slot.energyKWh;
    }
  }
  return [...bySlot]
    .sort(([a], [b]) => a - b)
    .map(([startS, e]) => ({ startS, minuteOfDay: e.minuteOfDay, ...balanceSlot(e.energies) }));
}

/** Import and export of a flow slot, as the tariff costs them. */
export const billedSlot = (s: FlowSlot): EnergySlot => ({
  minuteOfDay: s.minuteOfDay,
  importKWh: s.importKWh,
  exportKWh: s.exportKWh,
});

export interface DayEnergy {
  startS: number;
  /** House use. */
  energyKWh: number;
  importKWh: number;
  exportKWh: number;
  solarKWh: number;
  /** Import cost (VAT included) less export credit; the standing charge is per period. */
  costMinor: number;
  selfConsumption: number | null;
  selfSufficiency: number | null;
}

/** Slots summed per local day (only days with data); `dayOf` gives a slot's local midnight. */
export function energyByDay(
  tariff: Tariff,
  slots: readonly FlowSlot[],
  dayOf: (tsS: number) => number,
): DayEnergy[] {
  const days = new Map<number, FlowSlot[]>();
  for (const slot of slots) {
    const startS = dayOf(slot.startS);
    const day = days.get(startS);
    if (day) day.push(slot);
    else days.set(startS, [slot]);
  }
  return [...days]
    .sort(([a], [b]) => a - b)
    .map(([startS, daySlots]) => {
      const flows = sumFlows(daySlots);
      const cost = costOf(tariff, daySlots.map(billedSlot), 0);
      return {
        startS,
        energyKWh: flows.houseKWh,
        importKWh: flows.importKWh,
        exportKWh: flows.exportKWh,
        solarKWh: flows.solarKWh,
        costMinor: cost.energyCostMinor - cost.exportCreditMinor,
        selfConsumption: selfConsumption(flows),
        selfSufficiency: selfSufficiency(flows),
      };
    });
}
