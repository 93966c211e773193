import { cleanInputName } from '../ingest/input-names.js';
import type { AclRule, BrokerPrincipal } from './principal.js';
import { filterCovers, SIGNALS_FILTER, topicMatches } from './topics.js';

// The broker's authorization, as pure decisions (table-tested in test/unit/broker/acl.test.ts):
// - admins and the hub itself: everything, $SYS included;
// - viewers: subscribe to anything but $SYS and wildcard-only filters (#, +/#), publish nothing;
// - a device: publish only under its own roots (a gateway's emon/# minus the nodes other devices
//   own), subscribe only to its own command topics, its kind's read-only topics and the hub's
//   public signal topics;
// - the legacy emonhub login: publish under emon/# only, minus the nodes devices own;
// - anonymous (only if allowed, only on loopback): subscribe to hub/signals/#;
// - a pairing login (a window open): its publishes go to the pairing service only and it is
//   forwarded nothing but what the hub sends it directly (broker-hooks.ts), so its subscriptions
//   are acknowledged and its own publish decision is a deny;
// - config rules add grants; a matching "deny" rule always wins (as in Mosquitto).

export type Decision = { allow: true } | { allow: false; reason: string };

const ALLOW: Decision = { allow: true };
const deny = (reason: string): Decision => ({ allow: false, reason });

export function decidePublish(
  p: BrokerPrincipal,
  clientId: string,
  topic: string,
  rules: readonly AclRule[],
): Decision {
  const ruled = applyRules(p, clientId, topic, rules, 'write', topicMatches);
  if (ruled) return ruled;
  if (p.kind === 'user' && p.role === 'admin') return ALLOW;
  if (topic.startsWith('$')) return deny('only the hub publishes $ topics');
  const node = uncleanNode(topic);
  if (node !== undefined)
    return deny(`node "${node}" is not in the form ingest stores (letters, digits, _ - . space)`);
  switch (p.kind) {
    case 'device':
      if (p.publishExcept.some((f) => topicMatches(f, topic)))
        return deny(`${topic} belongs to another device`);
      return p.publish.some((f) => topicMatches(f, topic))
        ? ALLOW
        : deny(`${topic} is not under the device's own topics`);
    case 'pairing':
      return deny('a pairing login publishes only to the pairing service');
    case 'legacy':
      if (p.publishExcept.some((f) => topicMatches(f, topic))) return deny(`${topic} belongs to a device`);
      return topicMatches('emon/#', topic) ? ALLOW : deny('the legacy login may publish only under emon/#');
    default:
      return deny('this login may not publish');
  }
}

export function decideSubscribe(
  p: BrokerPrincipal,
  clientId: string,
  filter: string,
  rules: readonly AclRule[],
): Decision {
  const ruled = applyRules(p, clientId, filter, rules, 'read', filterCovers);
  if (ruled) return ruled;
  if (p.kind === 'user' && p.role === 'admin') return ALLOW;
  // A device's read grants may name an exact $SYS topic (OpenEVSE's $SYS/broker/version).
  if (p.kind === 'device' && filter.startsWith('$') && p.read.includes(filter)) return ALLOW;
  if (filter.startsWith('$') || onlyWildcards(filter))
    return deny('#, +/# (any filter of wildcards only) and $SYS are for administrators');
  switch (p.kind) {
    case 'user':
      return ALLOW; // a viewer reads
    case 'device':
      return [...p.subscribe, ...p.read, SIGNALS_FILTER].some((f) => filterCovers(f, filter))
        ? ALLOW
        : deny(`${filter} is not one of the device's command topics`);
    case 'pairing':
      return ALLOW; // acknowledged, as the firmware expects; the broker forwards it nothing
    case 'anonymous-loopback':
      return filterCovers(SIGNALS_FILTER, filter)
        ? ALLOW
        : deny('anonymous clients may read hub/signals/# only');
    default:
      return deny('this login may not subscribe');
  }
}

// Ingest drops ':' and other characters from a node level and trims it (emoncms's cleaning), so
// `emon/plug1:/power` would land in node plug1: a carve-out checked on the raw topic is bypassed.
const INGEST_BASE = 'emon/';

/** The node level of an `emon/` topic that ingest's cleaning would change, or undefined. */
function uncleanNode(topic: string): string | undefined {
  if (!topic.startsWith(INGEST_BASE)) return undefined;
  const node = topic.slice(INGEST_BASE.length).split('/')[0]!;
  return cleanInputName(node) === node ? undefined : node;
}

/** `#`, `+/#`, `+/+`…: reads every topic (of a depth), which is the same as `#` for a viewer. */
const onlyWildcards = (filter: string) => filter.split('/').every((l) => l === '+' || l === '#');

/** A deny rule that matches refuses; a grant rule that matches allows; otherwise no say. */
function applyRules(
  p: BrokerPrincipal,
  clientId: string,
  topic: string,
  rules: readonly AclRule[],
  want: 'read' | 'write',
  matches: (filter: string, topic: string) => boolean,
): Decision | undefined {
  const username = 'username' in p ? p.username : '';
  let granted = false;
  for (const rule of rules) {
    if (!appliesTo(rule.who, p)) continue;
    const filter = substitute(rule.topic, username, clientId);
    if (filter === undefined || !matches(filter, topic)) continue;
    if (rule.access === 'deny') return deny(`denied by the rule "${rule.topic}"`);
    if (rule.access === 'readwrite' || rule.access === want) granted = true;
  }
  return granted ? ALLOW : undefined;
}

function appliesTo(who: string, p: BrokerPrincipal): boolean {
  if (who === 'any') return true;
  if (who === 'user' || who === 'device') return p.kind === who;
  return 'username' in p && p.username === who;
}

/** %u and %c must fill a whole level, and a value with a wildcard or '/' never substitutes. */
export function substitute(pattern: string, username: string, clientId: string): string | undefined {
  const levels = pattern.split('/');
  const out: string[] = [];
  for (const level of levels) {
    if (level === '%u' || level === '%c') {
      const value = level === '%u' ? username : clientId;
      if (!value || /[#+/]/.test(value)) return undefined;
      out.push(value);
    } else if (level.includes('%u') || level.includes('%c')) {
      return undefined;
    } else {
      out.push(level);
    }
  }
  return out.join('/');
}

/** A `deny` rule of `mqtt.acl` refuses a message on its way to a subscriber already subscribed. */
export function forwardDenied(
  denyRules: readonly AclRule[],
  principal: BrokerPrincipal | undefined,
  clientId: string,
  topic: string,
): boolean {
  if (denyRules.length === 0) return false;
  const username = principal && 'username' in principal ? principal.username : '';
  return denyRules.some(
    (r) =>
      (r.who === 'any' || r.who === username || r.who === principal?.kind) &&
      topicMatches(r.topic.replaceAll('%u', username).replaceAll('%c', clientId), topic),
  );
}
