import type { Level } from 'level';
import type { BrokerPrincipal } from './principal.js';

/** Who owns a client id, and the will topic last authorised for it at CONNECT. */
interface Binding {
  owner: string;
  willTopic: string | null;
}

/** Kept bindings per owner: one login rotating random client ids cannot grow the store for good. */
export const MAX_KEPT_IDS_PER_OWNER = 16;

/** One principal per client id: kind and device id, kind, username and role, or the legacy login. */
export function ownerOf(p: BrokerPrincipal): string {
  switch (p.kind) {
    case 'device':
      return deviceOwner(p.deviceId);
    case 'user':
      // A read key (viewer) must not take over the session of the same user's write key.
      return `user:${p.username.toLowerCase()}:${p.role}`;
    case 'legacy':
      return `legacy:${p.username}`;
    case 'pairing':
      return PAIRING_OWNER;
    default:
      return 'anonymous';
  }
}

/** Every pairing session: never kept, and a device takes its id back at once (its own login). */
export const PAIRING_OWNER = 'pairing';

export function deviceOwner(deviceId: number): string {
  return `device:${deviceId}`;
}

/** The device id of a device owner, or undefined for any other owner. */
export function deviceIdOf(owner: string): number | undefined {
  const m = /^device:(\d+)$/.exec(owner);
  return m ? Number(m[1]) : undefined;
}

/** `user:<name>` of `user:<name>:<role>`, or undefined for any other owner. */
function userOf(owner: string): string | undefined {
  const m = /^user:(.+):(admin|viewer)$/.exec(owner);
  return m ? `user:${m[1]}` : undefined;
}

/** Bindings written before roles were part of a user's owner (`user:ann`) belong to every role of ann. */
const sameOwner = (holder: string, owner: string) => holder === owner || holder === userOf(owner);

export type ClaimResult = 'claimed' | 'taken-over' | 'role-changed' | 'refused' | 'held-by-live-user';

/**
 * Binds each MQTT client id to the principal that first used it, so another login cannot take
 * over its session, its queued commands or its connection. A device's claim is strong: it takes
 * a client id back from a user or the legacy login (a Tasmota's `DVES_xxxxxx` squatted by a
 * viewer). Bindings of persistent sessions, devices and clients with a will are kept in the
 * broker's LevelDB (written only when a binding is new or its will topic changes, never per
 * message) and survive a restart, at most MAX_KEPT_IDS_PER_OWNER per owner (the least recently
 * claimed goes first); the others last while their connection does.
 */
export class ClientIdRegistry {
  /** In least-recently-claimed order. */
  private readonly kept = new Map<string, Binding>();
  private readonly live = new Map<string, { owner: string; token: object }>();

  constructor(private readonly db: Level<string, unknown>) {}

  private get store() {
    return this.db.sublevel<string, Binding>('client-ids', { valueEncoding: 'json' });
  }

  async load(): Promise<void> {
    for await (const [clientId, binding] of this.store.iterator()) this.kept.set(clientId, binding);
  }

  /** Every owner with a kept binding (to reconcile with the devices that still exist). */
  keptOwners(): Set<string> {
    return new Set([...this.kept.values()].map((b) => b.owner));
  }

  /** The owner of a client id, if it has one. */
  ownerOfId(clientId: string): string | undefined {
    return this.kept.get(clientId)?.owner ?? this.live.get(clientId)?.owner;
  }

  /** The will topic authorised for this client id when it last connected, if any. */
  staleWillTopic(clientId: string): string | null | undefined {
    return this.kept.get(clientId)?.willTopic;
  }

  /**
   * Claims a client id for `owner`: 'refused' when another principal holds it; 'taken-over' when
   * a device took it from a non-device owner, 'role-changed' when the same user comes back with
   * another role (either way the old session must not be inherited); 'held-by-live-user' when a
   * device's id is held by a user or legacy login that is connected now (a live session is kept).
   * `token` identifies the connection; `release(clientId, token)` ends a binding that is not kept.
   */
  async claim(
    clientId: string,
    owner: string,
    opts: { keep: boolean; willTopic: string | null; token: object },
  ): Promise<ClaimResult> {
    const holder = this.ownerOfId(clientId);
    const live = this.live.get(clientId)?.owner;
    const same = holder === undefined || sameOwner(holder, owner);
    const user = userOf(owner);
    const otherRole = !same && user !== undefined && userOf(holder!) === user;
    const deviceTakesBack = deviceIdOf(owner) !== undefined && deviceIdOf(holder ?? '') === undefined;
    if (!same && !otherRole && !deviceTakesBack) return 'refused';
    // A read key never takes the id of the same user's write key while that one is connected.
    if (otherRole && owner.endsWith(':viewer') && live === holder) return 'refused';
    // A device coming back with its own login replaces its pairing session at once.
    if (deviceTakesBack && !same && live === holder && holder !== PAIRING_OWNER) return 'held-by-live-user';
    const changesOwner = !same;
    // A role-less binding may hold an admin's session: only the admin keeps it.
    const roleless = same && holder !== undefined && holder !== owner && !owner.endsWith(':admin');
    // From a pairing session (never kept, nothing to inherit) it is simply claimed.
    const fromPairing = holder === PAIRING_OWNER;
    const result: ClaimResult =
      deviceTakesBack && changesOwner && !fromPairing
        ? 'taken-over'
        : otherRole || roleless
          ? 'role-changed'
          : 'claimed';
    this.live.set(clientId, { owner, token: opts.token });
    const before = this.kept.get(clientId);
    this.kept.delete(clientId); // re-inserted last: the most recently claimed
    const unchanged = before?.owner === owner && before.willTopic === opts.willTopic;
    if (before && !changesOwner && (!opts.keep || unchanged)) {
      // A role-less binding is rewritten to the role that claimed it.
      const binding = { ...before, owner };
      this.kept.set(clientId, binding);
      if (before.owner !== owner) await this.store.put(clientId, binding);
      return result;
    }
    if (!opts.keep) {
      if (before) await this.store.del(clientId);
      return result;
    }
    const binding = { owner, willTopic: opts.willTopic };
    this.kept.set(clientId, binding);
    await this.store.put(clientId, binding);
    await this.evictOver(owner);
    return result;
  }

  release(clientId: string, token: object): void {
    if (this.live.get(clientId)?.token === token) this.live.delete(clientId);
  }

  /** Frees every client id of an owner that is gone (a deleted device). */
  async forget(owner: string): Promise<void> {
    for (const [clientId, binding] of this.kept) {
      if (binding.owner !== owner) continue;
      this.kept.delete(clientId);
      await this.store.del(clientId);
    }
    for (const [clientId, binding] of this.live) if (binding.owner === owner) this.live.delete(clientId);
  }

  private async evictOver(owner: string): Promise<void> {
    const mine = [...this.kept].filter(([, b]) => b.owner === owner).map(([id]) => id);
    for (const clientId of mine.slice(0, Math.max(0, mine.length - MAX_KEPT_IDS_PER_OWNER))) {
      this.kept.delete(clientId);
      await this.store.del(clientId);
    }
  }
}
