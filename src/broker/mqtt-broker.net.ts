import { Aedes, type Client } from 'aedes';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { Level } from 'level';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { describeError } from '../shared/errors.js';
import { BrokerHooks, remoteOf } from './broker-hooks.js';
import { emptyCounters, type BrokerCounters } from './broker-stats.js';
import type { TlsMaterial } from './certificates.process.js';
import { ClientIdRegistry, deviceOwner } from './client-id-registry.js';
import { PreAuthBudget } from './connection-budget.js';
import { FrameGuard, type FrameVerdict } from './frame-guard.js';
import type { AclRule, BrokerPrincipal } from './principal.js';
import { SysStats } from './sys-stats.js';
import { isValidTopicName, topicMatches } from './topics.js';

/** An in-process reader of published messages (the ingest pipeline). */
export type MessageHandler = (topic: string, payload: Buffer) => void;

export interface BrokerSettings {
  host: string;
  port: number;
  tls: { enabled: boolean; host: string; port: number };
  websocket: { enabled: boolean };
  limits: {
    maxPacketBytes: number;
    maxConnections: number;
    connectTimeoutS: number;
    keepaliveMaxS: number;
    publishRatePerS: number;
    publishBurst: number;
    offlineQueueMax: number;
    /** Sockets not logged in yet, in all and per address (apart from maxConnections). */
    maxPreAuthConnections: number;
    maxPreAuthPerAddress: number;
  };
  sysIntervalS: number;
  acl: AclRule[];
  /** Aedes's heartbeat; the wills of a crashed run go out after 4 of them (tests shorten it). */
  heartbeatIntervalMs?: number;
}

export interface BrokerDeps {
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    remoteAddress: string,
  ): Promise<BrokerPrincipal | undefined>;
  /** The principal a client-id owner is now, or undefined when it is gone (a deleted device). */
  resolveOwner(owner: string): BrokerPrincipal | undefined;
  persistenceDir: string;
  tls: () => TlsMaterial;
  onUpgrade(path: string, handler: (req: IncomingMessage, socket: Socket, head: Buffer) => void): void;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  version: string;
}

/**
 * The hub's MQTT broker: Aedes 1.x with LevelDB persistence, listeners on TCP, TLS and WebSocket
 * (/mqtt on the hub's HTTP server), the hooks of broker-hooks.ts, limits, and $SYS statistics.
 */
export class MqttBroker implements Component {
  readonly name = 'mqtt';
  readonly counters: BrokerCounters = emptyCounters();
  private broker: Aedes | undefined;
  private db: Level<string, unknown> | undefined;
  private persistence: AsyncLevelPersistence | undefined;
  private registry: ClientIdRegistry | undefined;
  private hooks: BrokerHooks | undefined;
  private readonly servers: { name: string; server: Server }[] = [];
  private wss: WebSocketServer | undefined;
  private readonly offlineQueued = new Map<string, number>();
  private readonly retained = new Set<string>();
  private readonly preAuth: PreAuthBudget;
  private readonly preAuthRelease = new WeakMap<Duplex, () => void>();
  private readonly sys: SysStats;
  private sysTimer: NodeJS.Timeout | undefined;
  private tlsProblem: string | undefined;
  private stopListening: (() => void) | undefined;
  private readonly listeners: { filter: string; handler: MessageHandler }[] = [];

  constructor(
    private readonly settings: BrokerSettings,
    private readonly deps: BrokerDeps,
  ) {
    this.preAuth = new PreAuthBudget(
      settings.limits.maxPreAuthConnections,
      settings.limits.maxPreAuthPerAddress,
    );
    this.sys = new SysStats(deps.version);
  }

  async start(): Promise<void> {
    const { limits } = this.settings;
    this.db = new Level<string, unknown>(this.deps.persistenceDir);
    this.persistence = new AsyncLevelPersistence(this.db);
    this.registry = new ClientIdRegistry(this.db);
    this.boundOfflineQueues(this.persistence);
    const broker = await Aedes.createBroker({
      persistence: this.persistence,
      connectTimeout: limits.connectTimeoutS * 1000,
      // no keepaliveLimit: Aedes would refuse keepalive 0 with CONNACK 6; the hooks check it.
      drainTimeout: 20_000,
      // 0 = no global cap: mqemitter queues with Array.shift (quadratic under a burst); delivery
      // still waits for each subscriber to drain, and drainTimeout drops a frozen one.
      concurrency: 0,
      heartbeatInterval: this.settings.heartbeatIntervalMs ?? 60_000,
    });
    this.broker = broker;
    // Persistence failures arrive as a plain 'error' event, which would crash an unlistened emitter.
    (broker as unknown as EventEmitter).on('error', (err: Error) =>
      this.deps.log.error({ err: describeError(err) }, 'broker error'),
    );
    await this.registry.load();
    await this.forgetGoneOwners(this.registry);
    this.hooks = new BrokerHooks({
      limits,
      acl: this.settings.acl,
      authenticate: this.deps.authenticate,
      resolveOwner: this.deps.resolveOwner,
      registry: this.registry,
      counters: this.counters,
      clock: this.deps.clock,
      log: this.deps.log,
      loggedIn: (conn) => this.preAuthRelease.get(conn)?.(),
      noteRetained: (topic, bytes) => this.noteRetained(topic, bytes),
    });
    this.hooks.install(broker);
    this.installEvents(broker, this.hooks);
    for (const { filter, handler } of this.listeners) this.attach(broker, filter, handler);
    const offRemoved = this.deps.bus.on('device.removed', ({ deviceId }) => this.disconnectDevice(deviceId));
    // Grants are decided at CONNECT: a device whose grants changed reconnects to get the new ones.
    const offChanged = this.deps.bus.on('device.grants.changed', ({ deviceId }) => {
      this.hooks?.grantsChanged(deviceId);
      this.closeSessions((p) => p.kind === 'device' && p.deviceId === deviceId, 'device grants changed');
    });
    const offTaken = this.deps.bus.on('device.nodes.taken', () => {
      this.hooks?.grantsChanged('legacy');
      this.closeSessions((p) => p.kind === 'legacy', 'a device took emon/ nodes from the legacy login');
    });
    this.stopListening = () => {
      offRemoved();
      offChanged();
      offTaken();
    };
    await this.countRetained();
    this.sys.start(this.deps.clock.nowMs());

    await this.listen(
      'tcp',
      createNetServer((socket) => this.accept(socket)),
      this.settings.host,
      this.settings.port,
    );
    if (this.settings.tls.enabled) await this.listenTls();
    if (this.settings.websocket.enabled) {
      this.wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPacketBytes + 16 });
      this.deps.onUpgrade('/mqtt', (req, socket, head) => {
        this.wss?.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws);
          stream.on('error', () => stream.destroy());
          req.socket.setKeepAlive(true, 60_000);
          this.accept(stream, req.socket.remoteAddress);
        });
      });
    }
    this.sysTimer = setInterval(() => this.publishSys(), this.settings.sysIntervalS * 1000);
    this.sysTimer.unref();
    this.publishSys();
  }

  async stop(): Promise<void> {
    if (this.sysTimer) clearInterval(this.sysTimer);
    this.stopListening?.();
    const closing = this.servers.map(({ server }) => new Promise<void>((r) => server.close(() => r())));
    this.wss?.close();
    if (this.broker) await new Promise<void>((resolve) => this.broker!.close(() => resolve()));
    await Promise.all(closing);
    this.servers.length = 0;
    await this.persistence?.destroy();
    this.broker = undefined;
    this.persistence = undefined;
  }

  status(): ComponentStatus {
    if (!this.broker) return { state: 'stopped' };
    const ports = Object.fromEntries(
      this.servers.map(({ name, server }) => [`${name}Port`, (server.address() as AddressInfo).port]),
    );
    const tls = this.tlsProblem ? { tlsError: this.tlsProblem } : {};
    return {
      state: this.tlsProblem ? 'degraded' : 'ready',
      detail: {
        ...ports,
        ...tls,
        websocket: this.settings.websocket.enabled ? '/mqtt' : false,
        ...this.counters,
        ...this.sys.rates,
        preAuthConnections: this.preAuth.size,
      },
    };
  }

  /** Hands every message published under `filter` to an in-process handler, from now on. */
  subscribe(filter: string, handler: MessageHandler): void {
    this.listeners.push({ filter, handler });
    if (this.broker) this.attach(this.broker, filter, handler);
  }

  /**
   * Publishes as the hub itself (publish_to_mqtt); false when stopped or the topic is invalid.
   * Aedes's server-side publish does not pass authorizePublish: only the hub's code reaches it.
   */
  publish(topic: string, payload: string, retain = false): boolean {
    if (!this.broker || !isValidTopicName(topic)) return false;
    const packet = { cmd: 'publish' as const, topic, payload: Buffer.from(payload), qos: 0 as const };
    this.broker.publish({ ...packet, retain, dup: false }, () => undefined);
    return true;
  }

  private attach(broker: Aedes, filter: string, handler: MessageHandler): void {
    const deliver = (packet: { topic: string; payload: unknown }, done: () => void) => {
      // MQTT-4.7.2-1 also for in-process readers: '#' and '+/…' do not see $ topics.
      if (packet.topic.charCodeAt(0) === 36 && !topicMatches(filter, packet.topic)) return done();
      try {
        handler(
          packet.topic,
          Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload)),
        );
      } catch (err) {
        this.deps.log.error(
          { topic: packet.topic, err: describeError(err) },
          'in-process MQTT reader failed',
        );
      }
      done();
    };
    broker.subscribe(filter, deliver, () => undefined);
  }

  /** Client ids of owners gone while hubd was down (a device deleted with the CLI) are freed. */
  private async forgetGoneOwners(registry: ClientIdRegistry): Promise<void> {
    for (const owner of registry.keptOwners()) {
      if (this.deps.resolveOwner(owner)) continue;
      this.deps.log.info({ owner }, 'freeing the client ids of a login that no longer exists');
      await registry.forget(owner);
    }
  }

  /** A removed device loses its connections at once, not at its next reconnect, and its client ids. */
  private disconnectDevice(deviceId: number): void {
    this.hooks?.deviceRemoved(deviceId);
    this.closeSessions((p) => p.kind === 'device' && p.deviceId === deviceId, 'device removed');
    this.registry
      ?.forget(deviceOwner(deviceId))
      .catch((err: unknown) =>
        this.deps.log.error({ err: describeError(err) }, 'could not free the client ids of a removed device'),
      );
  }

  /** Ends the sessions of the principals `which` picks; they reconnect with their grants of now. */
  private closeSessions(which: (p: BrokerPrincipal) => boolean, why: string): void {
    // Aedes keeps connected clients by id in `clients` (not in its type declarations).
    const clients =
      (this.broker as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    for (const client of Object.values(clients)) {
      const principal = this.hooks?.sessions.get(client)?.principal;
      if (principal && which(principal)) {
        this.deps.log.info({ clientId: client.id }, `${why}; disconnecting it`);
        client.close();
      }
    }
  }

  /** The ports actually bound (a listener that is off or failed is absent). */
  ports(): { tcp?: number; tls?: number } {
    return Object.fromEntries(
      this.servers.map(({ name, server }) => [name, (server.address() as AddressInfo).port]),
    );
  }

  /** Without certificates (openssl missing, a bad user file) the hub runs on, without TLS. */
  private async listenTls(): Promise<void> {
    let tls: TlsMaterial;
    try {
      tls = this.deps.tls();
    } catch (err) {
      this.tlsProblem = describeError(err);
      this.deps.log.error({ err: this.tlsProblem }, 'MQTT over TLS is off: no certificate');
      return;
    }
    const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2' }, (socket) =>
      this.accept(socket),
    );
    await this.listen('tls', server, this.settings.tls.host, this.settings.tls.port);
  }

  private async listen(name: string, server: Server, host: string, port: number): Promise<void> {
    // A hard ceiling on sockets; logged-in clients and the pre-auth budget are checked apart.
    const { maxConnections, maxPreAuthConnections } = this.settings.limits;
    // Two pre-auth pools: the open one and the one of addresses that logged in before.
    server.maxConnections = maxConnections + 2 * maxPreAuthConnections;
    server.on('drop', (data?: { remoteAddress?: string }) => {
      this.counters.refusedConnections++;
      this.deps.log.warn(
        { listener: name, remoteAddress: data?.remoteAddress },
        'mqtt connection refused: too many connections',
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push({ name, server });
    this.deps.log.info(
      { listener: name, host, port: (server.address() as AddressInfo).port },
      'mqtt listening',
    );
  }

  /**
   * Hands a connection to Aedes if the pre-auth budget has room, behind a guard that cuts it at
   * the first oversized packet or invalid string, and answers an unknown protocol level.
   */
  private accept(stream: Duplex, remoteAddress?: string): void {
    const remote = remoteAddress ?? (stream as Socket).remoteAddress ?? '';
    const slot = this.preAuth.admit(remote);
    if ('refused' in slot) {
      this.counters.refusedConnections++;
      this.deps.log.warn(
        { remoteAddress: remote, budget: slot.refused },
        'mqtt connection refused: too many connections not logged in',
      );
      stream.destroy();
      return;
    }
    const leaveBudget = slot.release;
    this.preAuthRelease.set(stream, () => {
      this.preAuth.noteLoggedIn(remote);
      leaveBudget();
    });
    stream.once('close', leaveBudget);
    // TCP keepalive reaps peers that vanished, also those that asked for no MQTT keepalive.
    if ('setKeepAlive' in stream) (stream as Socket).setKeepAlive(true, 60_000);
    const guard = new FrameGuard(this.settings.limits.maxPacketBytes);
    // Aedes pulls bytes with conn.read(); the guard sees each chunk before the parser does.
    const read = stream.read.bind(stream);
    let refused = false;
    stream.read = (size?: number) => {
      const chunk = read(size) as Buffer | null;
      if (!chunk || refused) return refused ? null : chunk;
      const verdict = guard.push(chunk);
      if (verdict.kind === 'ok') return chunk;
      refused = true;
      this.refuseFrame(stream, remote, verdict);
      return null;
    };
    this.broker!.handle(stream as never);
  }

  private refuseFrame(stream: Duplex, remote: string, verdict: Exclude<FrameVerdict, { kind: 'ok' }>): void {
    const { log } = this.deps;
    if (verdict.kind === 'bad-protocol-level') {
      // MQTT-3.1.2-2: CONNACK 1 (unacceptable protocol level), then close.
      this.counters.refusedConnections++;
      log.warn({ remoteAddress: remote, level: verdict.level }, 'mqtt connection refused: protocol level');
      stream.end(Buffer.from([0x20, 0x02, 0x00, 0x01]), () => stream.destroy());
      return;
    }
    this.counters.kickedClients++;
    if (verdict.kind === 'oversized') {
      log.warn(
        { remoteAddress: remote, bytes: verdict.bytes },
        'mqtt packet over the size limit; disconnected',
      );
    } else {
      log.warn({ remoteAddress: remote, why: verdict.why }, 'mqtt string not valid UTF-8; disconnected');
    }
    stream.destroy();
  }

  private installEvents(broker: Aedes, hooks: BrokerHooks): void {
    broker.on('clientReady', (client) => {
      this.counters.clientsConnected = broker.connectedClients;
      this.counters.clientsMaximum = Math.max(this.counters.clientsMaximum, broker.connectedClients);
      this.offlineQueued.delete(client.id);
      const principal = hooks.sessions.get(client)?.principal;
      this.deps.bus.emit('mqtt.connected', {
        clientId: client.id,
        principal: principal?.kind ?? 'unknown',
        ...(principal && 'username' in principal ? { username: principal.username } : {}),
        remoteAddress: remoteOf(client),
      });
    });
    broker.on('clientDisconnect', (client) => {
      this.counters.clientsConnected = broker.connectedClients;
      const principal = hooks.sessions.get(client)?.principal;
      this.deps.bus.emit('mqtt.disconnected', {
        clientId: client.id,
        ...(principal && 'username' in principal ? { username: principal.username } : {}),
      });
    });
    // $SYS is not retained in the persistence: a new subscriber gets the current values from memory.
    broker.on('subscribe', (subs, client) => {
      for (const sub of subs) {
        if ((sub.qos as number) === 128) continue; // refused (SUBACK 0x80)
        for (const [topic, value] of this.sys.matching(sub.topic)) {
          const packet = { cmd: 'publish' as const, topic, payload: Buffer.from(value), qos: 0 as const };
          client.publish({ ...packet, retain: true, dup: false }, () => undefined);
        }
      }
    });
  }

  private noteRetained(topic: string, payloadBytes: number): void {
    if (payloadBytes === 0) this.retained.delete(topic);
    else this.retained.add(topic);
    this.counters.retainedCount = this.retained.size;
  }

  /** Caps each offline client's queue (Aedes has no such limit) and counts what is dropped. */
  private boundOfflineQueues(persistence: AsyncLevelPersistence): void {
    const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
    persistence.outgoingEnqueueCombi = async (subs: { clientId: string }[], packet: unknown) => {
      const max = this.settings.limits.offlineQueueMax;
      const kept = subs.filter((sub) => {
        const queued = this.offlineQueued.get(sub.clientId) ?? 0;
        if (queued >= max) {
          this.counters.droppedOffline++;
          return false;
        }
        this.offlineQueued.set(sub.clientId, queued + 1);
        return true;
      });
      if (kept.length) await enqueue(kept, packet);
    };
  }

  /** Counts the retained messages; removes the $SYS ones that earlier versions stored. */
  private async countRetained(): Promise<void> {
    const stale: string[] = [];
    for await (const packet of this.persistence!.createRetainedStreamCombi(['#'])) {
      const { topic } = packet as { topic: string };
      if (topic.startsWith('$SYS/')) stale.push(topic);
      else this.retained.add(topic);
    }
    for (const topic of stale) {
      await this.persistence!.storeRetained({
        cmd: 'publish',
        topic,
        payload: Buffer.alloc(0),
        qos: 0,
        retain: true,
      });
    }
    this.counters.retainedCount = this.retained.size;
  }

  /** Mosquitto's $SYS/broker/... figures every sysIntervalS, live only (see sys-stats.ts). */
  private publishSys(): void {
    const broker = this.broker;
    if (!broker) return;
    for (const [topic, value] of this.sys.update(this.counters, this.deps.clock.nowMs())) {
      broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(value), qos: 0, retain: false, dup: false },
        () => undefined,
      );
    }
  }
}
