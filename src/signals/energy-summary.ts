import { selfConsumption, selfSufficiency, sumFlows, type FlowSlot } from './energy-flows.js';
import { billedSlot } from './energy.js';
import { costOf, type CostSummary, type Tariff } from './tariff.js';

export interface EnergyFigures extends CostSummary {
  /** House use (what the household used, whoever supplied it). */
  energyKWh: number;
  solarKWh: number;
  batteryKWh: number;
  /** Days charged the standing charge: those with data, up to now. */
  standingDays: number;
  selfConsumption: number | null;
  selfSufficiency: number | null;
}

/** The figures of a period: flows, cost under the tariff, and the two solar ratios. Pure. */
export function summariseEnergy(
  tariff: Tariff,
  slots: readonly FlowSlot[],
  standingDays: number,
): EnergyFigures {
  const flows = sumFlows(slots);
  return {
    ...costOf(tariff, slots.map(billedSlot), standingDays),
    energyKWh: flows.houseKWh,
    solarKWh: flows.solarKWh,
    batteryKWh: flows.batteryKWh,
    standingDays,
    selfConsumption: selfConsumption(flows),
    selfSufficiency: selfSufficiency(flows),
  };
}
