import { z } from 'zod';

// A household's electricity tariff and what energy costs under it. Pure: prices in minor units
// (pence, cents) per kWh, bands by local wall-clock time, VAT on top of imported energy and the
// standing charge; exported energy is paid at the export bands' price without VAT (a household
// does not charge VAT on what it sells, as with the UK's Smart Export Guarantee).

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'a time as HH:MM (00:00 to 23:59)' });

const bandSchema = z.strictObject({
  name: z.string().min(1).max(40),
  start: hhmm,
  end: hhmm,
  priceMinorPerKWh: z.number().min(-1000).max(100_000),
});

export const tariffSchema = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, { error: 'an ISO 4217 code such as GBP or EUR' }),
  /** Per day, minor units, before VAT. */
  standingChargeMinorPerDay: z.number().min(0).max(100_000),
  vatPercent: z.number().min(0).max(100),
  /** One band (flat) or time-of-use bands; a band from 23:30 to 07:30 crosses midnight. */
  bands: z.array(bandSchema).min(1, { error: 'at least one band' }).max(12),
  /** What exported energy earns: none (no export tariff, the default), one flat band or several. */
  exportBands: z.array(bandSchema).max(12).default([]),
});

export type TariffBand = z.infer<typeof bandSchema>;
/** A parsed tariff always has exportBands; one built in code may leave them out (no export tariff). */
export type Tariff = Omit<z.infer<typeof tariffSchema>, 'exportBands'> & { exportBands?: TariffBand[] };

export const DEFAULT_TARIFF: Tariff = {
  currency: 'GBP',
  standingChargeMinorPerDay: 0,
  vatPercent: 0,
  bands: [{ name: 'Standard', start: '00:00', end: '00:00', priceMinorPerKWh: 0 }],
  exportBands: [],
};

const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

/** The band that covers a local minute of the day; a band whose start equals its end covers all day. */
export function bandAt(tariff: Pick<Tariff, 'bands'>, minuteOfDay: number): TariffBand {
  return bandIn(tariff.bands, minuteOfDay)!;
}

function bandIn(bands: readonly TariffBand[], minuteOfDay: number): TariffBand | undefined {
  for (const band of bands) {
    const [s, e] = [minutesOf(band.start), minutesOf(band.end)];
    if (s === e) return band;
    if (s < e ? minuteOfDay >= s && minuteOfDay < e : minuteOfDay >= s || minuteOfDay < e) return band;
  }
  return bands[0];
}

/** Bands (import, and export when there are any) must not overlap and must cover the day. */
export function tariffProblems(tariff: Pick<Tariff, 'bands'> & { exportBands?: TariffBand[] }): string[] {
  const problems = bandProblems(tariff.bands);
  if (problems.length || !tariff.exportBands?.length) return problems;
  return bandProblems(tariff.exportBands).map((p) => `export ${p}`);
}

/** Checked minute by minute (1440 checks); stops at the first problem. */
function bandProblems(bands: readonly TariffBand[]): string[] {
  const problems: string[] = [];
  for (let m = 0; m < 1440; m++) {
    const covering = bands.filter((b) => {
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
  /** Bought from the grid (the whole use where there is no solar). */
  importKWh: number;
  /** Sold to the grid; 0 when nothing is exported. */
  exportKWh?: number;
}

export interface CostSummary {
  importKWh: number;
  exportKWh: number;
  /** Minor units, VAT included: imported energy only. */
  energyCostMinor: number;
  /** Minor units earned for exported energy (no VAT); subtracted from the total. */
  exportCreditMinor: number;
  standingChargeMinor: number;
  /** energyCostMinor + standingChargeMinor − exportCreditMinor. */
  totalMinor: number;
  /** Imported energy and its cost by import band. */
  byBand: { name: string; energyKWh: number; costMinor: number }[];
  /** Exported energy and its credit by export band (empty without an export tariff). */
  exportByBand: { name: string; energyKWh: number; creditMinor: number }[];
}

/**
 * Cost of slots over `days` charged days (the standing charge is per day with data), VAT included:
 * import × import band price + standing charge − export × export band price.
 */
export function costOf(tariff: Tariff, slots: readonly EnergySlot[], days: number): CostSummary {
  const vat = 1 + tariff.vatPercent / 100;
  const byBand = new Map(tariff.bands.map((b) => [b.name, { name: b.name, energyKWh: 0, costMinor: 0 }]));
  const exportBands = tariff.exportBands ?? [];
  const exportByBand = new Map(
    exportBands.map((b) => [b.name, { name: b.name, energyKWh: 0, creditMinor: 0 }]),
  );
  let exportKWh = 0;
  for (const slot of slots) {
    const band = bandAt(tariff, slot.minuteOfDay);
    const entry = byBand.get(band.name)!;
    entry.energyKWh += slot.importKWh;
    entry.costMinor += slot.importKWh * band.priceMinorPerKWh * vat;
    exportKWh += slot.exportKWh ?? 0;
    const exportBand = bandIn(exportBands, slot.minuteOfDay);
    if (!exportBand || !slot.exportKWh) continue;
    const credit = exportByBand.get(exportBand.name)!;
    credit.energyKWh += slot.exportKWh;
    credit.creditMinor += slot.exportKWh * exportBand.priceMinorPerKWh;
  }
  const bands = [...byBand.values()];
  const credits = [...exportByBand.values()];
  const energyCostMinor = bands.reduce((sum, b) => sum + b.costMinor, 0);
  const exportCreditMinor = credits.reduce((sum, b) => sum + b.creditMinor, 0);
  const standingChargeMinor = tariff.standingChargeMinorPerDay * days * vat;
  return {
    importKWh: bands.reduce((sum, b) => sum + b.energyKWh, 0),
    exportKWh,
    energyCostMinor,
    exportCreditMinor,
    standingChargeMinor,
    totalMinor: energyCostMinor + standingChargeMinor - exportCreditMinor,
    byBand: bands,
    exportByBand: credits,
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
