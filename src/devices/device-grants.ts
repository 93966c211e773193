// Pure rules on how devices' grants may sit next to each other: no two devices may own a common
// topic, except that a gateway's `emon/#` yields the node roots other devices own.
import { GATEWAY_SHARED_FILTER, isGatewayKind, type DeviceKind, type DeviceTopics } from './device-topics.js';

export interface GrantHolder extends DeviceTopics {
  id: number;
  kind: DeviceKind;
  mqttUsername: string;
}

/** Is there a topic both filters match (MQTT 3.1.1 §4.7; `a/#` also matches `a`)? */
export function filtersOverlap(a: string, b: string): boolean {
  if (a.startsWith('$') !== b.startsWith('$')) {
    const wildFirst = (f: string) => f[0] === '#' || f[0] === '+';
    if (wildFirst(a) || wildFirst(b)) return false;
  }
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; ; i++) {
    if (x[i] === '#' || y[i] === '#') return true;
    if (i >= x.length || i >= y.length) return x.length === y.length;
    if (x[i] !== '+' && y[i] !== '+' && x[i] !== y[i]) return false;
  }
}

const owned = (d: DeviceTopics) => [...d.publish, ...d.subscribe];

/** A filter inside one emoncms node (`emon/<node>/…`), which a gateway hands over to its owner. */
function isNodeRoot(filter: string): boolean {
  const levels = filter.split('/');
  return levels[0] === 'emon' && levels.length >= 2 && !['+', '#', ''].includes(levels[1]!);
}

function carvedOut(a: GrantHolder, fa: string, b: GrantHolder, fb: string): boolean {
  const gatewayFilter = (d: GrantHolder, f: string) => isGatewayKind(d.kind) && f === GATEWAY_SHARED_FILTER;
  return (
    (gatewayFilter(a, fa) && !isGatewayKind(b.kind) && isNodeRoot(fb)) ||
    (gatewayFilter(b, fb) && !isGatewayKind(a.kind) && isNodeRoot(fa))
  );
}

/** The first of `others` whose own topics overlap `candidate`'s, with the two filters, or undefined. */
export function findConflict(
  candidate: GrantHolder,
  others: readonly GrantHolder[],
): { other: GrantHolder; mine: string; theirs: string } | undefined {
  for (const other of others) {
    if (other.id === candidate.id) continue;
    for (const mine of owned(candidate)) {
      for (const theirs of owned(other)) {
        if (filtersOverlap(mine, theirs) && !carvedOut(candidate, mine, other, theirs)) {
          return { other, mine, theirs };
        }
      }
    }
  }
  return undefined;
}

/** For a gateway, the node roots other devices own, which it may not publish to; else nothing. */
export function publishExceptFor(device: GrantHolder, all: readonly GrantHolder[]): string[] {
  if (!isGatewayKind(device.kind)) return [];
  return all
    .filter((d) => d.id !== device.id && !isGatewayKind(d.kind))
    .flatMap(owned)
    .filter((f) => isNodeRoot(f));
}
