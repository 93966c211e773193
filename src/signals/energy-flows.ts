// Solar, house, grid and battery energy per slot, kept consistent by one balance (pure):
//   house = solar + import − export + battery   (battery > 0 while discharging)
// A figure without a feed (or without data in a slot) is derived from the others.

import type { HouseholdRole } from './household-feeds.js';

export interface FlowSlot {
  startS: number;
  /** Local minute of the day at which the slot starts (tariff bands). */
  minuteOfDay: number;
  houseKWh: number;
  solarKWh: number;
  importKWh: number;
  exportKWh: number;
  batteryKWh: number;
}

export type FlowTotals = Omit<FlowSlot, 'startS' | 'minuteOfDay'>;

/** Energy per role in one slot; a missing role has no feed or no data then. */
export type SlotEnergies = Partial<Record<HouseholdRole, number>>;

/** Fills in what the slot's feeds do not say. With house use only (no solar), all of it is import. */
export function balanceSlot(e: SlotEnergies): FlowTotals {
  const battery = e.battery ?? 0;
  let { import: imported, export: exported } = e;
  const known = (x: number | undefined) => x ?? 0;
  if (imported === undefined && exported === undefined) {
    const net = known(e.house) - known(e.solar) - battery;
    imported = Math.max(0, net);
    exported = Math.max(0, -net);
  } else if (imported === undefined) {
    imported = Math.max(0, known(e.house) - known(e.solar) - battery + exported!);
  } else if (exported === undefined) {
    exported = e.house === undefined ? 0 : Math.max(0, known(e.solar) + battery + imported - e.house);
  }
  const house = e.house ?? Math.max(0, known(e.solar) + imported - exported! + battery);
  const solar = e.solar ?? Math.max(0, house - imported + exported! - battery);
  return { houseKWh: house, solarKWh: solar, importKWh: imported, exportKWh: exported!, batteryKWh: battery };
}

export function sumFlows(slots: readonly FlowTotals[]): FlowTotals {
  const total: FlowTotals = { houseKWh: 0, solarKWh: 0, importKWh: 0, exportKWh: 0, batteryKWh: 0 };
  for (const s of slots) {
    total.houseKWh += s.houseKWh;
    total.solarKWh += s.solarKWh;
    total.importKWh += s.importKWh;
    total.exportKWh += s.exportKWh;
    total.batteryKWh += s.batteryKWh;
  }
  return total;
}

/** Share of the solar energy used at home: (solar − export) / solar; null without solar. */
export function selfConsumption(t: FlowTotals): number | null {
  return t.solarKWh > 0 ? clamp01((t.solarKWh - t.exportKWh) / t.solarKWh) : null;
}

/** Share of the house's use not bought from the grid: (house − import) / house; null without use. */
export function selfSufficiency(t: FlowTotals): number | null {
  return t.houseKWh > 0 ? clamp01((t.houseKWh - t.importKWh) / t.houseKWh) : null;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
