import { z } from 'zod';

// A household's electricity tariff and what energy costs under it. Pure: prices in minor units
// (pence, cents) per kWh, bands by local wall-clock time, VAT on top of energy and standing charge.

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'a time as HH:MM (00:00 to 23:59)' });

export const tariffSchema = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'an ISO 4217 code such as GBP or EUR' }),
  /** Per day, minor units, before VAT. */
  standingChargeMinorPerDay: z.number().min(0).max(100_000),
  vatPercent: z.number().min(0).max(100),
  /** One band (flat) or time-of-use bands; a band from 23:30 to 07:30 crosses midnight. */
  bands: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(40),
        start: hhmm,
        end: hhmm,
        priceMinorPerKWh: z.number().min(-1000).max(100_000),
      }),
    )
    .min(1, { error: 'at least one band' })
    .max(12),
});

export type Tariff = z.infer<typeof tariffSchema>;
export type TariffBand = Tariff['bands'][number];

export const DEFAULT_TARIFF: Tariff = {
  currency: 'GBP',
  standingChargeMinorPerDay: 0,
  vatPercent: 0,
  bands: [{ name: 'Standard', start: '00:00', end: '00:00', priceMinorPerKWh: 0 }],
};

const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

/** The band that covers a local minute of the day; a band whose start equals its end covers all day. */
export function bandAt(tariff: Tariff, minuteOfDay: number): TariffBand {
  for (const band of tariff.bands) {
    const [s, e] = [minutesOf(band.start), minutesOf(band.end)];
    if (s === e) return band;
    if (s < e ? minuteOfDay >= s && minuteOfDay < e : minuteOfDay >= s || minuteOfDay < e) return band;
  }
  return tariff.bands[0]!;
}

/** Bands must not overlap and must cover the day; checked minute by minute (1440 checks). */
export function tariffProblems(tariff: Tariff): string[] {
  const problems: string[] = [];
  for (let m = 0; m < 1440; m++) {
    const covering = tariff.bands.filter((b) => {
      const [s, e] = [minutesOf(b.start), minutesOf(b.end)];
      return s === e || (s < e ? m >= s && m < e : m >= s || m < e);
    });
    const at = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    if (covering.length === 0) problems.push(`no band covers ${at}`);
    if (covering.length > 1) problems.push(`${covering.map((b) => b.name).join(' and ')} overlap at ${at}`);
    if (problems.length) break;
  }
  return problems;
}

export interface EnergySlot {
  /** Local minute of the day at which the slot starts. */
  minuteOfDay: number;
  energyKWh: number;
}

export interface CostSummary {
  energyKWh: number;
  /** Minor units, VAT included. */
  energyCostMinor: number;
  standingChargeMinor: number;
  totalMinor: number;
  byBand: { name: string; energyKWh: number; costMinor: number }[];
}

/** Energy and cost of slots within `days` days (standing charge per day), VAT included. */
export function costOf(tariff: Tariff, slots: readonly EnergySlot[], days: number): CostSummary {
  const vat = 1 + tariff.vatPercent / 100;
  const byBand = new Map(tariff.bands.map((b) => [b.name, { name: b.name, energyKWh: 0, costMinor: 0 }]));
  for (const slot of slots) {
    const band = bandAt(tariff, slot.minuteOfDay);
    const entry = byBand.get(band.name)!;
    entry.energyKWh += slot.energyKWh;
    entry.costMinor += slot.energyKWh * band.priceMinorPerKWh * vat;
  }
  const bands = [...byBand.values()];
  const energyCostMinor = bands.reduce((sum, b) => sum + b.costMinor, 0);
  const standingChargeMinor = tariff.standingChargeMinorPerDay * days * vat;
  return {
    energyKWh: bands.reduce((sum, b) => sum + b.energyKWh, 0),
    energyCostMinor,
    standingChargeMinor,
    totalMinor: energyCostMinor + standingChargeMinor,
    byBand: bands,
  };
}

/**
 * "A good time to use electricity" (one rule, documented): the band now costs no more than the
 * day's time-weighted average price. With one flat band every time is as good as any other.
 */
export function goodTimeNow(
  tariff: Tariff,
  minuteOfDay: number,
): { good: boolean; band: string; flat: boolean } {
  const band = bandAt(tariff, minuteOfDay);
  if (tariff.bands.length === 1) return { good: true, band: band.name, flat: true };
  let sum = 0;
  for (let m = 0; m < 1440; m += 30) sum += bandAt(tariff, m).priceMinorPerKWh;
  return { good: band.priceMinorPerKWh <= sum / 48, band: band.name, flat: false };
}
