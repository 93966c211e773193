import { Aedes, type AuthenticateError, type Client } from 'aedes';
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
import { decidePublish, decideSubscribe, type Decision } from './acl.js';
import { emptyCounters, ratePerS, type BrokerCounters } from './broker-stats.js';
import type { TlsMaterial } from './certificates.process.js';
import { FrameGuard } from './frame-guard.js';
import type { AclRule, BrokerPrincipal } from './principal.js';
import { TokenBucket } from './token-bucket.js';
import { isValidTopicFilter, isValidTopicName, sysTopics, topicMatches } from './topics.js';

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
  };
  sysIntervalS: number;
  acl: AclRule[];
}

export interface BrokerDeps {
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    remoteAddress: string,
  ): Promise<BrokerPrincipal | undefined>;
  persistenceDir: string;
  tls: () => TlsMaterial;
  onUpgrade(path: string, handler: (req: IncomingMessage, socket: Socket, head: Buffer) => void): void;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  version: string;
}

interface Session {
  principal: BrokerPrincipal;
  bucket: TokenBucket;
  publishDecisions: Map<string, Decision>;
}

/**
 * The hub's MQTT broker: Aedes 1.x with LevelDB persistence, listeners on TCP, TLS and WebSocket
 * (/mqtt on the hub's HTTP server), authentication and ACL hooks, limits, and $SYS statistics.
 */
export class MqttBroker implements Component {
  readonly name = 'mqtt';
  readonly counters: BrokerCounters = emptyCounters();
  private broker: Aedes | undefined;
  private db: Level<string, unknown> | undefined;
  private persistence: AsyncLevelPersistence | undefined;
  private readonly servers: { name: string; server: Server }[] = [];
  private wss: WebSocketServer | undefined;
  private readonly sessions = new WeakMap<Client, Session>();
  private readonly offlineQueued = new Map<string, number>();
  private readonly retained = new Set<string>();
  private readonly denyRules: AclRule[];
  private sysTimer: NodeJS.Timeout | undefined;
  private startedAtMs = 0;
  private lastSys = { atMs: 0, received: 0, sent: 0 };
  private rates = { receivedPerS: 0, sentPerS: 0 };
  private tlsProblem: string | undefined;
  private stopListening: (() => void) | undefined;
  private readonly listeners: { filter: string; handler: MessageHandler }[] = [];

  constructor(
    private readonly settings: BrokerSettings,
    private readonly deps: BrokerDeps,
  ) {
    this.denyRules = settings.acl.filter((r) => r.access === 'deny');
  }

  async start(): Promise<void> {
    const { limits } = this.settings;
    this.db = new Level<string, unknown>(this.deps.persistenceDir);
    this.persistence = new AsyncLevelPersistence(this.db);
    this.boundOfflineQueues(this.persistence);
    const broker = await Aedes.createBroker({
      persistence: this.persistence,
      connectTimeout: limits.connectTimeoutS * 1000,
      keepaliveLimit: limits.keepaliveMaxS,
      drainTimeout: 20_000,
      // 0 = no global cap: mqemitter queues with Array.shift (quadratic under a burst); delivery
      // still waits for each subscriber to drain, and drainTimeout drops a frozen one.
      concurrency: 0,
      heartbeatInterval: 60_000,
    });
    this.broker = broker;
    // Persistence failures arrive as a plain 'error' event, which would crash an unlistened emitter.
    (broker as unknown as EventEmitter).on('error', (err: Error) =>
      this.deps.log.error({ err: describeError(err) }, 'broker error'),
    );
    this.installHooks(broker);
    this.installEvents(broker);
    for (const { filter, handler } of this.listeners) this.attach(broker, filter, handler);
    this.stopListening = this.deps.bus.on('device.removed', ({ deviceId }) =>
      this.disconnectDevice(deviceId),
    );
    await this.countRetained();
    this.startedAtMs = this.deps.clock.nowMs();
    this.lastSys = { atMs: this.startedAtMs, received: 0, sent: 0 };

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
        ...this.rates,
      },
    };
  }

  /** Hands every message published under `filter` to an in-process handler, from now on. */
  subscribe(filter: string, handler: MessageHandler): void {
    this.listeners.push({ filter, handler });
    if (this.broker) this.attach(this.broker, filter, handler);
  }

  /** Publishes as the hub itself (publish_to_mqtt); false when stopped or the topic is invalid. */
  publish(topic: string, payload: string, retain = false): boolean {
    if (!this.broker || !isValidTopicName(topic)) return false;
    const packet = { cmd: 'publish' as const, topic, payload: Buffer.from(payload), qos: 0 as const };
    this.broker.publish({ ...packet, retain, dup: false }, () => undefined);
    return true;
  }

  private attach(broker: Aedes, filter: string, handler: MessageHandler): void {
    const deliver = (packet: { topic: string; payload: unknown }, done: () => void) => {
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

  /** A removed device loses its connections at once, not at its next reconnect. */
  private disconnectDevice(deviceId: number): void {
    // Aedes keeps connected clients by id in `clients` (not in its type declarations).
    const clients =
      (this.broker as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    for (const client of Object.values(clients)) {
      const principal = this.sessions.get(client)?.principal;
      if (principal?.kind === 'device' && principal.deviceId === deviceId) {
        this.deps.log.info({ clientId: client.id, deviceId }, 'device removed; disconnecting it');
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
    server.maxConnections = this.settings.limits.maxConnections;
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

  /** Hands a connection to Aedes behind a guard that cuts it at the first oversized packet. */
  private accept(stream: Duplex, remoteAddress?: string): void {
    const guard = new FrameGuard(this.settings.limits.maxPacketBytes);
    // Aedes pulls bytes with conn.read(); the guard sees each chunk before the parser does.
    const read = stream.read.bind(stream);
    stream.read = (size?: number) => {
      const chunk = read(size) as Buffer | null;
      if (!chunk) return chunk;
      const announced = guard.push(chunk);
      if (announced === 0) return chunk;
      this.counters.kickedClients++;
      const remote = remoteAddress ?? (stream as Socket).remoteAddress;
      this.deps.log.warn(
        { remoteAddress: remote, bytes: announced },
        'mqtt packet over the size limit; disconnected',
      );
      stream.destroy();
      return null;
    };
    this.broker!.handle(stream as never);
  }

  private installHooks(broker: Aedes): void {
    const { log } = this.deps;
    const emptyIdPersistent = new WeakSet<Client>();
    broker.preConnect = (client, packet, callback) => {
      if (packet.clientId === '' && !packet.clean) emptyIdPersistent.add(client);
      if (broker.connectedClients >= this.settings.limits.maxConnections) {
        this.counters.refusedConnections++;
        log.warn({ clientId: packet.clientId }, 'mqtt connection refused: too many connections');
        return callback(null, false);
      }
      callback(null, true);
    };
    broker.authenticate = (client, username, password, done) => {
      const remote = remoteOf(client);
      const refuse = (returnCode: 2 | 4 | 5, why: string) => {
        this.counters.refusedConnections++;
        log.warn({ clientId: client.id, username, remote, why }, 'mqtt connection refused');
        const err = new Error(why) as AuthenticateError;
        err.returnCode = returnCode;
        done(err, false);
      };
      // MQTT-3.1.3-8: an empty client id is only for clean sessions (Aedes 1.2 does not check).
      if (emptyIdPersistent.has(client)) return refuse(2, 'an empty client id needs a clean session');
      this.deps
        .authenticate(username, password, remote)
        .then((principal) => {
          if (!principal) return refuse(4, 'bad username or password');
          this.sessions.set(client, {
            principal,
            bucket: new TokenBucket(
              this.deps.clock,
              this.settings.limits.publishRatePerS,
              this.settings.limits.publishBurst,
            ),
            publishDecisions: new Map(),
          });
          done(null, true);
        })
        .catch((err: unknown) => refuse(5, describeError(err)));
    };
    broker.authorizePublish = (client, packet, callback) => {
      if (!client) return callback(null); // a will of a client that was authorized when it connected
      const session = this.sessions.get(client);
      if (!session) return callback(new Error('not authenticated'));
      if (packet.topic.includes('#') || packet.topic.includes('+'))
        return callback(new Error('invalid topic'));
      if (!session.bucket.take()) {
        this.counters.kickedClients++;
        log.warn({ clientId: client.id }, 'mqtt client publishing faster than allowed; disconnected');
        return callback(new Error('publish rate limit'));
      }
      // Devices publish to a handful of topics over and over: decide each once per session.
      let decision = session.publishDecisions.get(packet.topic);
      if (!decision) {
        decision = decidePublish(session.principal, client.id, packet.topic, this.settings.acl);
        if (session.publishDecisions.size >= 256) session.publishDecisions.clear();
        session.publishDecisions.set(packet.topic, decision);
      }
      if (!decision.allow) {
        this.counters.deniedPublishes++;
        log.warn({ clientId: client.id, topic: packet.topic, why: decision.reason }, 'mqtt publish denied');
        return callback(new Error(decision.reason));
      }
      this.counters.messagesReceived++;
      if (packet.retain) this.noteRetained(packet.topic, packet.payload.length);
      callback(null);
    };
    broker.authorizeSubscribe = (client, sub, callback) => {
      const session = this.sessions.get(client);
      if (!session || !isValidTopicFilter(sub.topic)) return callback(null, null);
      const decision = decideSubscribe(session.principal, client.id, sub.topic, this.settings.acl);
      if (!decision.allow) {
        this.counters.deniedSubscriptions++;
        log.warn(
          { clientId: client.id, filter: sub.topic, why: decision.reason },
          'mqtt subscription denied',
        );
        return callback(null, null);
      }
      callback(null, sub);
    };
    broker.authorizeForward = (client, packet) => {
      this.counters.messagesSent++;
      if (this.denyRules.length === 0) return packet;
      const session = this.sessions.get(client);
      const username = session && 'username' in session.principal ? session.principal.username : '';
      const denied = this.denyRules.some(
        (r) =>
          (r.who === 'any' || r.who === username || r.who === session?.principal.kind) &&
          topicMatches(r.topic.replaceAll('%u', username).replaceAll('%c', client.id), packet.topic),
      );
      return denied ? null : packet;
    };
  }

  private installEvents(broker: Aedes): void {
    broker.on('clientReady', (client) => {
      this.counters.clientsConnected = broker.connectedClients;
      this.counters.clientsMaximum = Math.max(this.counters.clientsMaximum, broker.connectedClients);
      this.offlineQueued.delete(client.id);
      const principal = this.sessions.get(client)?.principal;
      this.deps.bus.emit('mqtt.connected', {
        clientId: client.id,
        principal: principal?.kind ?? 'unknown',
        ...(principal && 'username' in principal ? { username: principal.username } : {}),
        remoteAddress: remoteOf(client),
      });
    });
    broker.on('clientDisconnect', (client) => {
      this.counters.clientsConnected = broker.connectedClients;
      const principal = this.sessions.get(client)?.principal;
      this.deps.bus.emit('mqtt.disconnected', {
        clientId: client.id,
        ...(principal && 'username' in principal ? { username: principal.username } : {}),
      });
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

  private async countRetained(): Promise<void> {
    for await (const packet of this.persistence!.createRetainedStreamCombi(['#'])) {
      this.retained.add((packet as { topic: string }).topic);
    }
    this.counters.retainedCount = this.retained.size;
  }

  /** Mosquitto's $SYS/broker/... figures, retained, every sysIntervalS. */
  private publishSys(): void {
    const broker = this.broker;
    if (!broker) return;
    const nowMs = this.deps.clock.nowMs();
    this.rates = {
      receivedPerS: ratePerS(
        this.lastSys.received,
        this.counters.messagesReceived,
        nowMs - this.lastSys.atMs,
      ),
      sentPerS: ratePerS(this.lastSys.sent, this.counters.messagesSent, nowMs - this.lastSys.atMs),
    };
    this.lastSys = {
      atMs: nowMs,
      received: this.counters.messagesReceived,
      sent: this.counters.messagesSent,
    };
    const c = this.counters;
    const values: [string, string | number][] = [
      [sysTopics.clientsConnected, c.clientsConnected],
      [sysTopics.clientsMaximum, c.clientsMaximum],
      [sysTopics.messagesReceived, c.messagesReceived],
      [sysTopics.messagesSent, c.messagesSent],
      [sysTopics.messagesReceivedPerS, this.rates.receivedPerS],
      [sysTopics.messagesSentPerS, this.rates.sentPerS],
      [sysTopics.retainedCount, c.retainedCount],
      [sysTopics.dropped, c.droppedOffline],
      [sysTopics.uptimeS, `${Math.round((nowMs - this.startedAtMs) / 1000)} seconds`],
      [sysTopics.version, `energy-hub ${this.deps.version}`],
    ];
    for (const [topic, value] of values) {
      this.noteRetained(topic, 1);
      broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(String(value)), qos: 0, retain: true, dup: false },
        () => undefined,
      );
    }
  }
}

function remoteOf(client: Client): string {
  const conn = client.conn as unknown as { remoteAddress?: string; _socket?: { remoteAddress?: string } };
  return (
    conn.remoteAddress ??
    conn._socket?.remoteAddress ??
    (client.req?.socket?.remoteAddress as string | undefined) ??
    ''
  );
}
