import type { Aedes, Client, ConnectPacket, PublishPacket } from 'aedes';
import type { Duplex } from 'node:stream';

// Every place the hub relies on Aedes 1.x (or aedes-persistence-level) beyond their declared API.
// test/integration/broker/aedes-internals.test.ts checks each against the installed versions, so
// an upgrade that changes one fails there, by name, rather than somewhere in the broker tests.

/** The connected clients (Aedes keeps them by id in `clients`, not in its type declarations). */
export function connectedClients(broker: Aedes): Client[] {
  return Object.values((broker as unknown as { clients?: Record<string, Client> }).clients ?? {});
}

/** The filters a client is subscribed to (Aedes's `client.subscriptions`, keyed by filter). */
export function subscribedFilters(client: Client): string[] {
  return Object.keys((client as unknown as { subscriptions?: Record<string, unknown> }).subscriptions ?? {});
}

/**
 * A will of a previous run (from the persistence, it carries `brokerId`), swept while its client
 * is connected again; a live client's own will is the very object in `client.will`.
 */
export function isStaleWill(client: Client, packet: PublishPacket): boolean {
  return packet !== (client as unknown as { will?: unknown }).will && 'brokerId' in packet;
}

/**
 * Turns off Aedes's dedupe by counter for `client`: Aedes forwards a live message only if its
 * brokerCounter is above the last one forwarded to the client. Counters are given when a publish
 * starts, but a retained or QoS > 0 one is forwarded only after its persistence write, so a
 * publish started after it often overtakes it and it was dropped silently. The hub drops only
 * exact repeats instead (see messageKey).
 */
export function forwardOutOfOrder(client: Client): void {
  (client as unknown as { duplicates: object }).duplicates = new Proxy(Object.create(null) as object, {
    get: () => undefined,
    set: () => true,
  });
}

/**
 * The identity of a live message across its copies (one per matching subscription of a client),
 * or undefined for a retained message sent on SUBSCRIBE (Aedes sends those without a brokerId).
 */
export function messageKey(packet: PublishPacket): string | undefined {
  const { brokerId, brokerCounter } = packet as { brokerId?: string | null; brokerCounter?: number };
  return brokerId ? `${brokerId}/${brokerCounter ?? 0}` : undefined;
}

/**
 * Forgets a client's will before Aedes stores it: it copies the CONNECT's will to `client._will`
 * before the authenticate hook and to `client.will` (and the persistence) after it.
 */
export function dropWill(client: Client, packet: ConnectPacket | undefined): void {
  (client as unknown as { _will: unknown })._will = null;
  if (packet) delete packet.will;
}

/** The client id a persisted will was stored for. */
export function willClientId(packet: PublishPacket): string {
  return (packet as { clientId?: string }).clientId ?? '';
}

/** The peer's address: the socket's, else that of the request a WebSocket came with. */
export function remoteOf(client: Client): string {
  const conn = client.conn as unknown as { remoteAddress?: string; _socket?: { remoteAddress?: string } };
  return (
    conn.remoteAddress ??
    conn._socket?.remoteAddress ??
    (client.req?.socket?.remoteAddress as string | undefined) ??
    ''
  );
}

/**
 * Starts the session of a client being authenticated afresh: Aedes reads `packet.clean` (whether
 * to restore subscriptions) and `client.clean` (whether to keep queued messages) after the
 * authenticate hook returns.
 */
export function forceCleanSession(client: Client, packet: ConnectPacket): void {
  packet.clean = true;
  client.clean = true;
}

/**
 * Makes `drop(packet)` packets vanish as if published: Aedes hands clients' publishes and wills to
 * `broker.publish(packet, client, done)` after authorizePublish, which cannot drop with an ack.
 */
export function dropPublishes(broker: Aedes, drop: (packet: object) => boolean): void {
  const publish = broker.publish.bind(broker) as (p: unknown, c: unknown, d?: unknown) => void;
  (broker as unknown as { publish: unknown }).publish = (packet: object, client: unknown, done: unknown) => {
    if (!drop(packet)) return publish(packet, client, done);
    const callback = (typeof client === 'function' ? client : done) as ((e: null) => void) | undefined;
    callback?.(null);
  };
}

/** What the persistence is asked to queue for offline sessions (QoS > 0). */
export type OfflineEnqueue = (subs: { clientId: string }[], packet: unknown) => Promise<void>;

/**
 * Puts `filter` before the queueing of messages for offline persistent sessions: Aedes calls
 * the persistence's `outgoingEnqueueCombi(subs, packet)` for each QoS > 0 publish.
 */
export function filterOfflineEnqueue(
  persistence: { outgoingEnqueueCombi: OfflineEnqueue },
  filter: (subs: { clientId: string }[]) => { clientId: string }[],
): void {
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  persistence.outgoingEnqueueCombi = async (subs, packet) => {
    const kept = filter(subs);
    if (kept.length) await enqueue(kept, packet);
  };
}

/**
 * Shows `inspect` each chunk before Aedes parses it: Aedes pulls bytes with `conn.read()` on
 * 'readable'. `inspect` returning false stops the stream's bytes reaching Aedes for good.
 */
export function inspectReads(stream: Duplex, inspect: (chunk: Buffer) => boolean): void {
  const read = stream.read.bind(stream);
  let refused = false;
  stream.read = (size?: number) => {
    const chunk = read(size) as Buffer | null;
    if (!chunk || refused) return refused ? null : chunk;
    if (inspect(chunk)) return chunk;
    refused = true;
    return null;
  };
}
