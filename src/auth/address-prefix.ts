/** An IPv4 client seen by a dual-stack socket is the same address as plain IPv4. */
export function addressKey(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * One client for the login limits and the sign-in memory: an IPv4 address as is, an IPv6 address
 * by its /64 (a host picks any address in its /64 at will, e.g. privacy addresses).
 */
export function clientKey(address: string): string {
  const addr = addressKey(address);
  const groups = ipv6Groups(addr);
  return groups ? `${hex(groups.slice(0, 4))}::/64` : addr;
}

/**
 * The network an address is in, for spacing password checks: /24 for IPv4, /64 for IPv6. A guesser
 * rotating addresses stays in a few networks; a household member elsewhere is in another.
 */
export function networkKey(address: string): string {
  const addr = addressKey(address);
  const v4 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(addr);
  return v4 ? `${v4[1]}.0/24` : clientKey(addr);
}

const hex = (groups: number[]) => groups.map((g) => g.toString(16)).join(':');

/** The eight 16-bit groups of an IPv6 address, or undefined if it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.replace(/%.*$/, '');
  if (!text.includes(':')) return undefined;
  const v4 = /:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const parts = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!parts.every((p) => /^[0-9a-f]{1,4}$/i.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
}
