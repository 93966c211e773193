// Prices are stored in minor units (pence, cents); the form asks for them as bills print them.
// Where bills quote the minor unit (24.5 p/kWh, 30 c/kWh) the number is the stored one; other
// currencies are asked per major unit (SEK 1.85/kWh) and converted here, at the form only.
const MINOR_SYMBOLS: Record<string, string> = { GBP: 'p', EUR: 'c', USD: '¢' };

export type PriceUnit = { symbol: string; minorPerUnit: number };

export function priceUnitOf(currency: string): PriceUnit {
  const minor = MINOR_SYMBOLS[currency];
  return minor ? { symbol: minor, minorPerUnit: 1 } : { symbol: currency, minorPerUnit: 100 };
}

/** A stored minor-unit price as the form shows it. */
export function toFormPrice(unit: PriceUnit, minor: number): number {
  return Math.round((minor / unit.minorPerUnit) * 1e6) / 1e6;
}

/** A price typed into the form, in minor units for the API (rounded off float noise). */
export function fromFormPrice(unit: PriceUnit, typed: number): number {
  return Math.round(typed * unit.minorPerUnit * 1e6) / 1e6;
}
