import { Aedes, type Client } from 'aedes';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { Level } from 'level';
import type { EventEmitter } from 'node:events';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { describeError } from '../shared/errors.js';
import { connectedClients, remoteOf } from './aedes-internals.net.js';
import { BrokerHooks } from './broker-hooks.js';
import { BrokerListeners, type ListenerDeps, type ListenerSettings } from './broker-listeners.net.js';
import { emptyCounters, type BrokerCounters } from './broker-stats.js';
import { ClientIdRegistry, deviceOwner } from './client-id-registry.js';
import { InProcessMqtt } from './in-process-mqtt.net.js';
import { OfflineQueueCap } from './offline-queue.net.js';
import type { PairingDelivery, PairingLine } from './pairing-line.js';
import { PersistenceStreams } from './persistence-streams.net.js';
import type { MqttMessageHandler, MqttPort, MqttPublishOptions, Unsubscribe } from './ports.js';
import type { AclRule, BrokerPrincipal } from './principal.js';
import { SysPublisher } from './sys-publisher.net.js';

/** An in-process reader of published messages (the ingest pipeline). */
export type MessageHandler = MqttMessageHandler;

export interface BrokerSettings extends ListenerSettings {
  limits: ListenerSettings['limits'] & {
    connectTimeoutS: number;
    keepaliveMaxS: number;
    publishRatePerS: number;
    publishBurst: number;
    offlineQueueMax: number;
  };
  sysIntervalS: number;
  acl: AclRule[];
  /** Aedes's heartbeat; the wills of a crashed run go out after 4 of them (tests shorten it). */
  heartbeatIntervalMs?: number;
}

export interface BrokerDeps extends Pick<ListenerDeps, 'tls' | 'onUpgrade'> {
  /** Who a CONNECT is (BrokerAuthService: its authenticators in order); undefined refuses it. */
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    remoteAddress: string,
    clientId: string,
    webSocket: boolean,
  ): Promise<BrokerPrincipal | undefined>;
  /** The principal a client-id owner is now, or undefined when it is gone (a deleted device). */
  resolveOwner(owner: string): BrokerPrincipal | undefined;
  persistenceDir: string;
  /** Pairing sessions' publishes and ends go there; it sends them messages through the broker. */
  pairing: PairingLine;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  version: string;
}

/**
 * The hub's MQTT broker: Aedes 1.x with LevelDB persistence, the listeners of
 * broker-listeners.net.ts, the hooks of broker-hooks.ts, bounded offline queues, $SYS statistics,
 * and the MqttPort other capabilities use (in-process-mqtt.net.ts).
 */
export class MqttBroker implements Component, MqttPort, PairingDelivery {
  readonly name = 'mqtt';
  /** A port held by another broker (Mosquitto on an emonPi being migrated) frees later. */
  readonly onStartFailure = 'retry';
  readonly counters: BrokerCounters = emptyCounters();
  private broker: Aedes | undefined;
  private persistence: AsyncLevelPersistence | undefined;
  private streams: PersistenceStreams | undefined;
  private registry: ClientIdRegistry | undefined;
  private hooks: BrokerHooks | undefined;
  private readonly retained = new Set<string>();
  private readonly listeners: BrokerListeners;
  private readonly offlineQueues: OfflineQueueCap;
  private readonly sys: SysPublisher;
  private readonly inProcess: InProcessMqtt;
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly deps: BrokerDeps,
  ) {
    this.listeners = new BrokerListeners(settings, {
      tls: deps.tls,
      onUpgrade: deps.onUpgrade,
      counters: this.counters,
      log: deps.log,
      handle: (stream) => this.broker!.handle(stream as never),
    });
    this.offlineQueues = new OfflineQueueCap(settings.limits.offlineQueueMax, this.counters);
    this.sys = new SysPublisher(deps.version, deps.clock, settings.sysIntervalS);
    this.inProcess = new InProcessMqtt({
      clock: deps.clock,
      log: deps.log,
      counters: this.counters,
      noteRetained: (topic, bytes) => this.noteRetained(topic, bytes),
    });
  }

  async start(): Promise<void> {
    const { limits } = this.settings;
    const db = new Level<string, unknown>(this.deps.persistenceDir);
    this.persistence = new AsyncLevelPersistence(db);
    this.registry = new ClientIdRegistry(db);
    this.offlineQueues.install(this.persistence);
    this.streams = new PersistenceStreams((err) =>
      this.deps.log.error({ err: describeError(err) }, 'broker persistence read failed'),
    );
    this.streams.install(this.persistence);
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
      loggedIn: (conn) => this.listeners.loggedIn(conn),
      noteRetained: (topic, bytes) => this.noteRetained(topic, bytes),
      pairing: this.deps.pairing,
    });
    this.hooks.install(broker);
    this.deps.pairing.connect(this);
    this.installEvents(broker, this.hooks);
    this.inProcess.attach(broker);
    this.stopListening = this.followDevices();
    await this.countRetained();
    this.sys.start(broker, this.counters);
    await this.listeners.open();
  }

  async stop(): Promise<void> {
    this.deps.pairing.connect(undefined);
    this.sys.stop();
    this.stopListening?.();
    this.inProcess.detach();
    const closing = this.listeners.close();
    if (this.broker) await new Promise<void>((resolve) => this.broker!.close(() => resolve()));
    await closing;
    // Retained messages still streaming to subscribers (gone or not) read the database: end them.
    await this.streams?.close();
    await this.persistence?.destroy();
    this.broker = undefined;
    this.persistence = undefined;
  }

  status(): ComponentStatus {
    if (!this.broker) return { state: 'stopped' };
    const ports = Object.fromEntries(
      Object.entries(this.ports()).map(([name, port]) => [`${name}Port`, port]),
    );
    const { tlsProblem } = this.listeners;
    return {
      state: tlsProblem ? 'degraded' : 'ready',
      detail: {
        ...ports,
        ...(tlsProblem ? { tlsError: tlsProblem } : {}),
        websocket: this.settings.websocket.enabled ? '/mqtt' : false,
        ...this.counters,
        ...this.sys.rates,
        preAuthConnections: this.listeners.preAuthConnections,
      },
    };
  }

  /** The ports actually bound (a listener that is off or failed is absent). */
  ports(): { tcp?: number; tls?: number } {
    return this.listeners.ports();
  }

  subscribe(filter: string, handler: MqttMessageHandler): Unsubscribe {
    return this.inProcess.subscribe(filter, handler);
  }

  publish(topic: string, payload: string | Buffer, options?: MqttPublishOptions): Promise<void> {
    return this.inProcess.publish(topic, payload, options);
  }

  deliverToPairing(clientId: string, topic: string, payload: string): boolean {
    const client = this.pairingClient(clientId);
    return client !== undefined && this.hooks!.deliverDirect(client, topic, payload);
  }

  endPairing(clientId: string, why: string): void {
    const client = this.pairingClient(clientId);
    if (!client) return;
    this.deps.log.info({ clientId }, `pairing session ended: ${why}`);
    client.close();
  }

  private pairingClient(clientId: string): Client | undefined {
    if (!this.broker) return undefined;
    return connectedClients(this.broker).find(
      (c) => c.id === clientId && this.hooks?.sessions.get(c)?.principal.kind === 'pairing',
    );
  }

  /** Devices removed or whose grants changed lose their sessions (they reconnect with grants of now). */
  private followDevices(): () => void {
    const { bus } = this.deps;
    const offRemoved = bus.on('device.removed', ({ deviceId }) => this.disconnectDevice(deviceId));
    // Grants are decided at CONNECT: a device whose grants changed reconnects to get the new ones.
    const offChanged = bus.on('device.grants.changed', ({ deviceId }) => {
      this.hooks?.grantsChanged(deviceId);
      this.closeSessions((p) => p.kind === 'device' && p.deviceId === deviceId, 'device grants changed');
    });
    const offTaken = bus.on('device.nodes.taken', () => {
      this.hooks?.grantsChanged('legacy');
      this.closeSessions((p) => p.kind === 'legacy', 'a device took emon/ nodes from the legacy login');
    });
    return () => {
      offRemoved();
      offChanged();
      offTaken();
    };
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
    if (!this.broker) return;
    for (const client of connectedClients(this.broker)) {
      const principal = this.hooks?.sessions.get(client)?.principal;
      if (principal && which(principal)) {
        this.deps.log.info({ clientId: client.id }, `${why}; disconnecting it`);
        client.close();
      }
    }
  }

  private installEvents(broker: Aedes, hooks: BrokerHooks): void {
    broker.on('clientReady', (client) => {
      this.counters.clientsConnected = broker.connectedClients;
      this.counters.clientsMaximum = Math.max(this.counters.clientsMaximum, broker.connectedClients);
      this.offlineQueues.clientOnline(client.id);
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
      if (principal?.kind === 'pairing') this.deps.pairing.closed(client.id);
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
}
