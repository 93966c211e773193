// A believable household for the demo: base load, morning and evening peaks, a kettle now and then,
// and solar on a bell curve with passing clouds. Deterministic for a given time (seeded by it).

/** A pseudo-random number in [0, 1) from an integer (the same input gives the same output). */
function noise(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

const bump = (hour: number, centre: number, width: number) => Math.exp(-(((hour - centre) / width) ** 2));

/** Local hour of day (fractional) in the machine's timezone. */
function localHour(tsS: number): number {
  const d = new Date(tsS * 1000);
  return d.getHours() + d.getMinutes() / 60 + d.getSeconds() / 3600;
}

/** Household consumption in watts at a moment. */
export function householdPowerW(tsS: number): number {
  const hour = localHour(tsS);
  const minute = Math.floor(tsS / 60);
  const base = 220 + 60 * noise(Math.floor(tsS / 600));
  const peaks = 900 * bump(hour, 7.5, 1) + 1400 * bump(hour, 18.5, 1.6);
  const kettle = noise(Math.floor(minute / 4)) > 0.93 ? 2000 : 0;
  return Math.round(base + peaks * (0.7 + 0.6 * noise(minute)) + kettle);
}

/** Solar generation in watts: a 3.2 kWp array, zero at night, clouds by the quarter hour. */
export function solarPowerW(tsS: number): number {
  const hour = localHour(tsS);
  const day = Math.floor(tsS / 86_400);
  const sun = Math.max(0, Math.sin(((hour - 6) / 14) * Math.PI));
  const clouds = 0.35 + 0.65 * noise(Math.floor(tsS / 900) + day);
  return Math.round(3200 * sun * clouds);
}
