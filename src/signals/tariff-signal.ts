// The household's time-of-use tariff as a signal (docs/demand-shaper.md, Signals): each slot takes
// the import band that covers its local start time in the configured IANA zone, looked up per slot,
// so a day on which the clocks change has 23 or 25 hours of slots. VAT included. Pure.
import { zoneOffsetS, wallClock } from '../shared/zoned-time.js';
import { MAX_HORIZON_S, SIGNAL_INTERVALS_S, type Signal } from './signal.js';
import { bandAt, type Tariff } from './tariff.js';

const MINOR_UNITS: Record<string, string> = { GBP: 'p/kWh', EUR: 'c/kWh', USD: 'c/kWh' };

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Slot length: the largest that puts every band boundary (and the zone's offset, for zones such as
 * +05:45) on a slot boundary, at most 30 minutes.
 */
export function tariffIntervalS(tariff: Pick<Tariff, 'bands'>, offsetsS: readonly number[]): number {
  let minutes = 30;
  for (const band of tariff.bands)
    for (const t of [band.start, band.end])
      minutes = gcd(minutes, Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  for (const offsetS of offsetsS) minutes = gcd(minutes, Math.abs(Math.round(offsetS / 60)) % 1440);
  const intervalS = minutes * 60;
  return (SIGNAL_INTERVALS_S as readonly number[]).includes(intervalS) ? intervalS : 60;
}

/** The tariff from the slot covering `fromS` for `horizonS` (48 h at most). */
export function tariffSignal(
  tariff: Tariff,
  fromS: number,
  timeZone: string,
  horizonS: number = MAX_HORIZON_S,
): Signal {
  const span = Math.min(horizonS, MAX_HORIZON_S);
  const intervalS = tariffIntervalS(tariff, [
    zoneOffsetS(fromS, timeZone),
    zoneOffsetS(fromS + span, timeZone),
  ]);
  const startS = Math.floor(fromS / intervalS) * intervalS;
  const vat = 1 + tariff.vatPercent / 100;
  const values: number[] = [];
  for (let t = startS; t < startS + span; t += intervalS) {
    const local = wallClock(t, timeZone);
    const price = bandAt(tariff, local.hour * 60 + local.minute).priceMinorPerKWh * vat;
    values.push(Math.round(price * 1e6) / 1e6);
  }
  return {
    startS,
    intervalS,
    values,
    unit: MINOR_UNITS[tariff.currency] ?? `${tariff.currency} minor/kWh`,
    optimise: 'min',
    source: 'tariff',
    receivedAtS: fromS,
  };
}
