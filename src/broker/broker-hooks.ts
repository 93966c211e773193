import type { Aedes, AuthenticateError, Client, ConnectPacket, PublishPacket } from 'aedes';
import type { Duplex } from 'node:stream';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { describeError } from '../shared/errors.js';
import {
  dropPublishes,
  forceCleanSession,
  forwardOutOfOrder,
  isStaleWill,
  messageKey,
  dropWill,
  remoteOf,
  subscribedFilters,
  willClientId,
} from './aedes-internals.net.js';
import { decidePublish, decideSubscribe, forwardDenied, type Decision } from './acl.js';
import type { BrokerCounters } from './broker-stats.js';
import { ownerOf, type ClientIdRegistry } from './client-id-registry.js';
import type { AclRule, BrokerPrincipal } from './principal.js';
import { LoginsInFlight } from './logins-in-flight.js';
import { TokenBucket } from './token-bucket.js';
import { viaWebSocket } from './transports.js';
import { isValidTopicFilter, isValidTopicName, topicMatches } from './topics.js';

const DENIED_LOG_EVERY_MS = 60_000;

export interface Session {
  principal: BrokerPrincipal;
  bucket: TokenBucket;
  publishDecisions: Map<string, Decision>;
  /** Publishes of this connection the ACL refused (acknowledged and dropped). */
  deniedPublishes: number;
  lastDeniedLogMs: number;
}

export interface HookDeps {
  limits: {
    maxConnections: number;
    keepaliveMaxS: number;
    publishRatePerS: number;
    publishBurst: number;
  };
  acl: AclRule[];
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    remoteAddress: string,
    clientId: string,
    webSocket: boolean,
  ): Promise<BrokerPrincipal | undefined>;
  /** The principal a client-id owner is now (grants of now), or undefined when it is gone. */
  resolveOwner(owner: string): BrokerPrincipal | undefined;
  registry: ClientIdRegistry;
  counters: BrokerCounters;
  clock: Clock;
  log: Logger;
  /** The connection has logged in: it leaves the pre-auth budget. */
  loggedIn(conn: Duplex): void;
  noteRetained(topic: string, payloadBytes: number): void;
  /** Where a pairing session's publishes go (and nowhere else). */
  pairing: { published(clientId: string, remoteAddress: string, topic: string, payload: Buffer): void };
}

/**
 * The broker's CONNECT, publish, subscribe and forward hooks: who may connect (logins, client id
 * owners, wills, keepalive), what they may publish and read. A publish the ACL refuses is
 * acknowledged and dropped (as Mosquitto does; 3.1.1 has no negative PUBACK), not disconnected.
 */
export class BrokerHooks {
  readonly sessions = new WeakMap<Client, Session>();
  private readonly dropped = new WeakSet<object>();
  private readonly connects = new WeakMap<Client, ConnectPacket>();
  /** The last live message forwarded to each client: its other copies are not sent again. */
  private readonly lastForwarded = new WeakMap<Client, string>();
  private readonly denyRules: AclRule[];
  private readonly inFlight = new LoginsInFlight();
  /** When a device was last logged as refused its id held by a live user, per client id. */
  private readonly heldLoggedMs = new Map<string, number>();
  /** Topics the hub is sending a pairing session directly: the only messages it is forwarded. */
  private readonly directTopics = new WeakMap<Client, string[]>();

  constructor(private readonly deps: HookDeps) {
    this.denyRules = deps.acl.filter((r) => r.access === 'deny');
  }

  /** A device was deleted: a login of it still in flight is refused. */
  deviceRemoved(deviceId: number): void {
    this.inFlight.deviceRemoved(deviceId);
  }

  /** Grants of a device or of the legacy login changed: a login of it in flight must retry. */
  grantsChanged(whose: number | 'legacy'): void {
    this.inFlight.grantsChanged(whose);
  }

  install(broker: Aedes): void {
    // A denied publish (or stale will) is marked in authorizePublish and dropped here.
    dropPublishes(broker, (packet) => this.dropped.delete(packet));
    broker.preConnect = (client, packet, callback) => {
      this.connects.set(client, packet);
      forwardOutOfOrder(client);
      callback(null, true);
    };
    broker.authenticate = (client, username, password, done) =>
      void this.authenticate(broker, client, username, password).then(
        () => done(null, true),
        (err: AuthenticateError) => done(err, false),
      );
    broker.authorizePublish = (client, packet, callback) => callback(this.authorizePublish(client, packet));
    broker.authorizeSubscribe = (client, sub, callback) => {
      const session = this.sessions.get(client);
      if (!session || !isValidTopicFilter(sub.topic)) return callback(null, null);
      // A pairing session is acknowledged what it asks (firmwares expect it) but subscribed to a
      // filter nobody publishes to: no retained message is even looked up for it.
      if (session.principal.kind === 'pairing')
        return callback(null, { ...sub, topic: `$pairing/${client.id}` });
      const decision = decideSubscribe(session.principal, client.id, sub.topic, this.deps.acl);
      if (decision.allow) return callback(null, sub);
      this.deps.counters.deniedSubscriptions++;
      this.deps.log.warn(
        { clientId: client.id, filter: sub.topic, why: decision.reason },
        'mqtt subscription denied',
      );
      callback(null, null);
    };
    broker.authorizeForward = (client, packet) => {
      if (this.sessions.get(client)?.principal.kind === 'pairing') return this.directOnly(client, packet);
      // Overlapping subscriptions: Aedes hands a client the copies of a message one after another.
      const key = messageKey(packet);
      if (key !== undefined && this.lastForwarded.get(client) === key) return null;
      if (key !== undefined) this.lastForwarded.set(client, key);
      this.deps.counters.messagesSent++;
      // MQTT-4.7.2-1: a filter starting with a wildcard never matches a $ topic. Aedes checks
      // this for live messages, not for retained ones sent on SUBSCRIBE.
      if (packet.retain && packet.topic.startsWith('$') && !this.subscribedTo(client, packet.topic))
        return null;
      const principal = this.sessions.get(client)?.principal;
      return forwardDenied(this.denyRules, principal, client.id, packet.topic) ? null : packet;
    };
  }

  /**
   * Sends a pairing session one message (Aedes's client.publish: to that client only, never
   * routed, so no subscriber of its topic sees the login it carries); false if it is gone.
   */
  deliverDirect(client: Client, topic: string, payload: string): boolean {
    if (this.sessions.get(client)?.principal.kind !== 'pairing') return false;
    const pending = this.directTopics.get(client) ?? [];
    pending.push(topic);
    this.directTopics.set(client, pending);
    client.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
      () => {
        const left = this.directTopics.get(client);
        const at = left?.indexOf(topic) ?? -1;
        if (at >= 0) left!.splice(at, 1); // not forwarded (the connection ended): forget it
      },
    );
    return true;
  }

  /** A pairing session gets what the hub sent it directly, once each; nothing routed. */
  private directOnly<P extends { topic: string }>(client: Client, packet: P): P | null {
    const pending = this.directTopics.get(client);
    const at = pending?.indexOf(packet.topic) ?? -1;
    if (at < 0) return null;
    pending!.splice(at, 1);
    this.deps.counters.messagesSent++;
    return packet;
  }

  private async authenticate(
    broker: Aedes,
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<void> {
    const epoch = this.inFlight.start();
    try {
      await this.login(broker, client, username, password, epoch);
    } finally {
      this.inFlight.end();
    }
  }

  private async login(
    broker: Aedes,
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    epoch: number,
  ): Promise<void> {
    const { limits, log } = this.deps;
    const remote = remoteOf(client);
    const packet = this.connects.get(client);
    const refuse = (returnCode: 2 | 3 | 4 | 5, why: string, quiet = false) => {
      this.deps.counters.refusedConnections++;
      if (!quiet) log.warn({ clientId: client.id, username, remote, why }, 'mqtt connection refused');
      const err = new Error(why) as AuthenticateError;
      err.returnCode = returnCode;
      return err;
    };
    // MQTT-3.1.3-8: an empty client id is only for clean sessions (Aedes 1.2 does not check).
    if (packet?.clientId === '' && !packet.clean) throw refuse(2, 'an empty client id needs a clean session');
    // Keepalive 0 (no keepalive) is valid; TCP keepalive and the connect timeout reap dead peers.
    // Over the limit: CONNACK 2, as Mosquitto answers a 3.1.1 client.
    if ((packet?.keepalive ?? 0) > limits.keepaliveMaxS) throw refuse(2, 'keepalive over the limit');
    if (broker.connectedClients >= limits.maxConnections) throw refuse(3, 'too many connections');
    let principal: BrokerPrincipal | undefined;
    try {
      principal = await this.deps.authenticate(
        username,
        password,
        remote,
        client.id,
        viaWebSocket(client.conn),
      );
    } catch (err) {
      // A throttled login carries returnCode 3 (server unavailable), a refused pairing login the
      // code it chose; any other failure is 5.
      const code = (err as { returnCode?: unknown }).returnCode;
      throw refuse(code === 2 || code === 3 || code === 4 ? code : 5, describeError(err));
    }
    if (!principal) throw refuse(4, 'bad username or password');
    const pairing = principal.kind === 'pairing';
    // A pairing session's will is neither stored nor published: nobody is to hear of it.
    if (pairing) dropWill(client, packet);
    const will = pairing ? undefined : packet?.will;
    // A pairing session's will, like all it publishes, goes to the pairing service only.
    if (will && !pairing) {
      const decision = isValidTopicName(will.topic)
        ? decidePublish(principal, client.id, will.topic, this.deps.acl)
        : ({ allow: false, reason: 'invalid will topic' } as const);
      if (!decision.allow) throw refuse(5, `will on ${will.topic}: ${decision.reason}`);
    }
    const owner = ownerOf(principal);
    if (packet?.clientId) {
      const keep = !pairing && (!packet.clean || principal.kind === 'device' || will !== undefined);
      const token = client.conn;
      const claim = await this.deps.registry.claim(client.id, owner, {
        keep,
        willTopic: will?.topic ?? null,
        token,
      });
      if (claim === 'refused') throw refuse(5, 'the client id belongs to another login');
      if (claim === 'held-by-live-user') {
        // The device retries every few seconds: say so once a minute, not at every retry.
        throw refuse(5, 'the client id is in use by a connected user', !this.heldLogDue(client.id));
      }
      if (claim === 'taken-over' || claim === 'role-changed') {
        // Aedes closes the older connection (same client id); neither its queued messages nor
        // its subscriptions are the new principal's to inherit.
        log.warn({ clientId: client.id, owner, claim }, 'mqtt client id bound anew; its session is cleaned');
        forceCleanSession(client, packet);
      }
      // Nothing of a pairing session outlives it: no restored subscriptions, no queued messages.
      if (pairing) forceCleanSession(client, packet);
      const release = () => this.deps.registry.release(client.id, token);
      if ((client.conn as unknown as Duplex).destroyed) release();
      else client.conn.once('close', release);
    }
    // Checked after the last await: a device deleted meanwhile must not sign in (nor keep the
    // binding its claim just made); grants changed meanwhile are decided again at the retry.
    if (this.inFlight.wasRemoved(principal)) {
      await this.deps.registry.forget(owner);
      throw refuse(5, 'the device was deleted');
    }
    if (this.inFlight.changedSince(principal, epoch))
      throw refuse(3, 'grants changed during the login; retry');
    this.sessions.set(client, {
      principal,
      bucket: new TokenBucket(this.deps.clock, limits.publishRatePerS, limits.publishBurst),
      publishDecisions: new Map(),
      deniedPublishes: 0,
      lastDeniedLogMs: -Infinity,
    });
    this.deps.loggedIn(client.conn as unknown as Duplex);
  }

  private heldLogDue(clientId: string): boolean {
    const nowMs = this.deps.clock.nowMs();
    if (nowMs - (this.heldLoggedMs.get(clientId) ?? -Infinity) < DENIED_LOG_EVERY_MS) return false;
    if (this.heldLoggedMs.size >= 256) this.heldLoggedMs.clear();
    this.heldLoggedMs.set(clientId, nowMs);
    return true;
  }

  /** An Error disconnects the client; a denied topic is marked to be acknowledged and dropped. */
  private authorizePublish(client: Client | null, packet: PublishPacket): Error | null {
    const { counters, log } = this.deps;
    // A will comes with no client (a crashed run's) or with a client that is connected again
    // (Aedes's sweep of a previous run's wills): it is not the client's publish, so no rate limit.
    if (!client || isStaleWill(client, packet)) return this.authorizeStaleWill(packet);
    const session = this.sessions.get(client);
    if (!session) return new Error('not authenticated');
    if (!isValidTopicName(packet.topic)) return new Error('invalid topic');
    if (!session.bucket.take()) {
      counters.kickedClients++;
      log.warn({ clientId: client.id }, 'mqtt client publishing faster than allowed; disconnected');
      return new Error('publish rate limit');
    }
    const { principal } = session;
    if (principal.kind === 'pairing') return this.pairingPublish(client, principal.remoteAddress, packet);
    // Devices publish to a handful of topics over and over: decide each once per session.
    let decision = session.publishDecisions.get(packet.topic);
    if (!decision) {
      decision = decidePublish(session.principal, client.id, packet.topic, this.deps.acl);
      if (session.publishDecisions.size >= 256) session.publishDecisions.clear();
      session.publishDecisions.set(packet.topic, decision);
    }
    if (!decision.allow) {
      counters.deniedPublishes++;
      session.deniedPublishes++;
      const nowMs = this.deps.clock.nowMs();
      if (nowMs - session.lastDeniedLogMs >= DENIED_LOG_EVERY_MS) {
        session.lastDeniedLogMs = nowMs;
        log.warn(
          { clientId: client.id, topic: packet.topic, why: decision.reason, denied: session.deniedPublishes },
          'mqtt publish denied; acknowledged and dropped (logged at most once a minute per client)',
        );
      }
      this.dropped.add(packet);
      return null;
    }
    counters.messagesReceived++;
    if (packet.retain) this.deps.noteRetained(packet.topic, packet.payload.length);
    return null;
  }

  /** Read by the pairing service, then dropped: not stored, not retained, forwarded to nobody. */
  private pairingPublish(client: Client, remoteAddress: string, packet: PublishPacket): null {
    this.dropped.add(packet);
    const { payload } = packet;
    this.deps.pairing.published(
      client.id,
      remoteAddress,
      packet.topic,
      Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
    );
    return null;
  }

  /**
   * Aedes publishes the wills of a broker that died (a crash). A will goes out only if its topic
   * was authorised for its client id at CONNECT and its owner, as it is now (its grants of now),
   * may still publish there; others are dropped (a deleted device's), and so deleted from the
   * persistence, not retried.
   */
  private authorizeStaleWill(packet: PublishPacket): null {
    const clientId = willClientId(packet);
    if (isValidTopicName(packet.topic) && this.staleWillAllowed(clientId, packet.topic)) {
      if (packet.retain) this.deps.noteRetained(packet.topic, packet.payload.length);
      return null;
    }
    this.deps.counters.deniedPublishes++;
    this.deps.log.warn(
      { clientId, topic: packet.topic },
      'mqtt will of a previous run not authorised; dropped',
    );
    this.dropped.add(packet);
    return null;
  }

  private staleWillAllowed(clientId: string, topic: string): boolean {
    const { registry } = this.deps;
    const owner = registry.ownerOfId(clientId);
    if (owner === undefined || registry.staleWillTopic(clientId) !== topic) return false;
    const principal = this.deps.resolveOwner(owner);
    return principal !== undefined && decidePublish(principal, clientId, topic, this.deps.acl).allow;
  }

  private subscribedTo(client: Client, topic: string): boolean {
    return subscribedFilters(client).some((filter) => topicMatches(filter, topic));
  }
}
