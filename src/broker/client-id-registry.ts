import type { Level } from 'level';
import type { BrokerPrincipal } from './principal.js';

/** Who owns a client id, and the will topic last authorised for it at CONNECT. */
interface Binding {
  owner: string;
  willTopic: string | null;
}

/** One principal per client id: kind and device id, or kind and username. */
export function ownerOf(p: BrokerPrincipal): string {
  switch (p.kind) {
    case 'device':
      return deviceOwner(p.deviceId);
    case 'user':
      return `user:${p.username.toLowerCase()}`;
    case 'legacy':
      return `legacy:${p.username}`;
    default:
      return 'anonymous';
  }
}

export function deviceOwner(deviceId: number): string {
  return `device:${deviceId}`;
}

/**
 * Binds each MQTT client id to the principal that first used it, so another login cannot take
 * over its session, its queued commands or its connection. Bindings of persistent sessions,
 * devices and clients with a will are kept in the broker's LevelDB (written only when a binding
 * is new or its will topic changes, never per message) and survive a restart; the others last
 * while their connection does.
 */
export class ClientIdRegistry {
  private readonly kept = new Map<string, Binding>();
  private readonly live = new Map<string, { owner: string; token: object }>();

  constructor(private readonly db: Level<string, unknown>) {}

  private get store() {
    return this.db.sublevel<string, Binding>('client-ids', { valueEncoding: 'json' });
  }

  async load(): Promise<void> {
    for await (const [clientId, binding] of this.store.iterator()) this.kept.set(clientId, binding);
  }

  /** The owner of a client id, if it has one. */
  ownerOfId(clientId: string): string | undefined {
    return this.kept.get(clientId)?.owner ?? this.live.get(clientId)?.owner;
  }

  /** Was this will topic authorised for this client id when it last connected? */
  allowsStaleWill(clientId: string, topic: string): boolean {
    return this.kept.get(clientId)?.willTopic === topic;
  }

  /**
   * Claims a client id for `owner`; false when another principal holds it. `token` identifies the
   * connection; `release(clientId, token)` ends a binding that is not kept.
   */
  async claim(
    clientId: string,
    owner: string,
    opts: { keep: boolean; willTopic: string | null; token: object },
  ): Promise<boolean> {
    const holder = this.ownerOfId(clientId);
    if (holder !== undefined && holder !== owner) return false;
    this.live.set(clientId, { owner, token: opts.token });
    const before = this.kept.get(clientId);
    if (!opts.keep || (before && before.willTopic === opts.willTopic)) return true;
    const binding = { owner, willTopic: opts.willTopic };
    this.kept.set(clientId, binding);
    await this.store.put(clientId, binding);
    return true;
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
}
