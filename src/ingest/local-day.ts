// The start of the local day containing a unix time, in an IANA zone (emoncms's getstartday).

const formatters = new Map<string, Intl.DateTimeFormat>();

function offsetS(timeS: number, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(timeS * 1000)).map((x) => [x.type, Number(x.value)]));
  const asUtcS = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) / 1000;
  return asUtcS - Math.floor(timeS);
}

/** Unix seconds of 00:00 local time on the day of `timeS` (DST days are 23 or 25 hours). */
export function startOfLocalDayS(timeS: number, timeZone: string): number {
  const localS = Math.floor(timeS) + offsetS(timeS, timeZone);
  const localMidnightS = localS - (((localS % 86_400) + 86_400) % 86_400);
  // The offset at midnight may differ from the offset now (a DST change during the day).
  let guess = localMidnightS - offsetS(localMidnightS, timeZone);
  guess = localMidnightS - offsetS(guess, timeZone);
  return guess;
}
