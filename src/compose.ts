import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './api/app.js';
import type { VersionInfo } from './api/contract.js';
import { HttpServer } from './api/http-server.js';
import { AuthService } from './auth/auth-service.js';
import { authMigrations } from './auth/migrations.js';
import { SqliteSessionRepo } from './auth/session-repo.sqlite.js';
import { SqliteSignInRepo } from './auth/sign-in-repo.sqlite.js';
import { SqliteUserRepo } from './auth/user-repo.sqlite.js';
import { saveTimeZone, type LoadedConfig } from './config/config-file.fs.js';
import { DatabaseComponent } from './db/database-component.sqlite.js';
import { migrate, openDatabase } from './db/database.sqlite.js';
import { systemClock, type Clock } from './shared/clock.js';
import { describeError } from './shared/errors.js';
import type { Component } from './shared/component.js';
import { Hub } from './shared/hub.js';
import type { Logger } from './shared/logger.js';
import { RedisSupervisor } from './state/embedded-redis.process.js';
import { createKeys } from './state/keys.js';
import { RedisClient } from './state/redis-client.redis.js';
import { BrokerAuthService, hubAuthenticators } from './broker/broker-auth-service.js';
import { ensureTlsMaterial, loadUserTls, type TlsMaterial } from './broker/certificates.process.js';
import { MqttBroker } from './broker/mqtt-broker.net.js';
import { DeviceService } from './devices/device-service.js';
import { controlSocketPath } from './devices/control-socket-path.js';
import { DeviceControlSocket } from './devices/device-control-socket.net.js';
import { SqliteDeviceRepo } from './devices/device-repo.sqlite.js';
import { deviceMigrations } from './devices/migrations.js';
import { EventBus } from './shared/event-bus.js';
import { EventLoopDelayMonitor } from './shared/event-loop-delay.js';
import { FeedFiles } from './timeseries/feed-files.fs.js';
import { LocalFeedStore } from './timeseries/feed-store.local.js';
import { ThreadFeedStore } from './timeseries/feed-store.thread.js';
import { SqliteFeedRepo } from './timeseries/feed-repo.sqlite.js';
import { FeedService } from './timeseries/feed-service.js';
import { FlushRunner } from './timeseries/flush-runner.js';
import { MemoryWriteBuffer } from './timeseries/memory-buffer.js';
import { timeseriesMigrations } from './timeseries/migrations.js';
import { RedisWriteBuffer } from './timeseries/write-buffer.redis.js';
import { IngestService } from './ingest/ingest-service.js';
import { SqliteInputRepo, SqliteVzChannelRepo } from './ingest/input-repo.sqlite.js';
import { RedisLiveState } from './ingest/live-state.redis.js';
import { ingestMigrations } from './ingest/migrations.js';
import { MqttSourceRunner } from './ingest/mqtt-source-runner.js';
import { templateForDescribe } from './ingest/template-catalog.js';
import { TemplateService } from './ingest/template-service.js';
import { VzPushServer } from './ingest/vz-push-server.net.js';
import { VzloggerService } from './ingest/vzlogger-service.js';
import { LiveSocket } from './api/live-socket.js';
import { signalMigrations } from './signals/migrations.js';
import { SqliteTariffRepo } from './signals/tariff-repo.sqlite.js';
import { TariffService } from './signals/tariff-service.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface ComposedHub {
  hub: Hub;
  http: HttpServer;
  auth: AuthService;
  feeds: FeedService;
  flusher: FlushRunner;
  devices: DeviceService;
  broker: MqttBroker | undefined;
  bus: EventBus;
  ingest: IngestService;
  vzlogger: VzloggerService;
  vzPush: VzPushServer | undefined;
  templates: TemplateService;
  tariff: TariffService;
  version: VersionInfo;
}

const MIGRATIONS = [
  ...authMigrations,
  ...timeseriesMigrations,
  ...deviceMigrations,
  ...ingestMigrations,
  ...signalMigrations,
];

/** The one composition root: builds every adapter and service and wires them into a Hub. */
export function compose(
  loaded: LoadedConfig,
  log: Logger,
  clock: Clock = systemClock,
  /** Made by the caller but shown in /readyz (the log sink); started first, stopped last. */
  outerComponents: readonly Component[] = [],
): ComposedHub {
  const { config, paths } = loaded;
  const version = readVersion();
  const keys = createKeys(config.redis.keyPrefix);

  const db = openDatabase(paths.dbFile);
  const database = new DatabaseComponent(db, MIGRATIONS, log.child({ component: 'sqlite' }), clock);

  // Waits on real processes and sockets (redis-server starting and exiting, Redis answering, the
  // HTTP drain) run on real time: a test's manual clock would stall them.
  const realClock = systemClock;
  const redisServer = new RedisSupervisor(
    config.redis.url,
    paths.runDir,
    log.child({ component: 'redis-server' }),
    realClock,
    (): boolean => flusher.unwrittenAtStop.buffered > 0,
  );
  const redis = new RedisClient(() => redisServer.url(), log.child({ component: 'redis' }), realClock);

  const signIns = new SqliteSignInRepo(db);
  const auth = new AuthService(
    new SqliteUserRepo(db),
    new SqliteSessionRepo(db),
    clock,
    config.auth,
    signIns,
  );

  const feedRepo = new SqliteFeedRepo(db);
  const feedFiles = new ThreadFeedStore(join(paths.dataDir, 'feeds'));
  const redisBuffer = new RedisWriteBuffer(() => redis.redis, keys);
  const memoryBuffer = new MemoryWriteBuffer(config.timeseries.memoryBufferPoints);
  const redisUp = () => redis.status().state === 'ready';
  const buffers = {
    current: () => (redisUp() ? redisBuffer : memoryBuffer),
    all: () => (redisUp() ? [redisBuffer, memoryBuffer] : [memoryBuffer]),
    fallback: memoryBuffer,
  };
  const feeds = new FeedService(feedRepo, feedFiles, buffers, clock, {
    maxFutureS: config.timeseries.maxFutureS,
    timeZone: config.timezone,
    maxBufferedPoints: config.timeseries.maxBufferedPoints,
  });
  const flusher = new FlushRunner(
    feedRepo,
    feedFiles,
    buffers,
    clock,
    config.timeseries,
    log.child({ component: 'feed-flusher' }),
    () => ({
      ...feeds.counters,
      memoryBuffered: memoryBuffer.held,
      memoryDropped: memoryBuffer.dropped,
    }),
    feeds.backlog,
  );

  const bus = new EventBus(log.child({ component: 'bus' }));
  const devices = new DeviceService(
    new SqliteDeviceRepo(db),
    clock,
    bus,
    log.child({ component: 'devices' }),
  );
  let tls: TlsMaterial | undefined;
  const tlsMaterial = () =>
    (tls ??=
      config.mqtt.tls.certFile && config.mqtt.tls.keyFile
        ? loadUserTls(config.mqtt.tls.certFile, config.mqtt.tls.keyFile)
        : ensureTlsMaterial(join(paths.dataDir, 'tls'), log.child({ component: 'tls' }), clock));
  const brokerAuth = new BrokerAuthService(hubAuthenticators(auth, devices, config.mqtt));
  const broker = config.mqtt.enabled
    ? new MqttBroker(config.mqtt, {
        authenticate: (u, p, remote) => brokerAuth.authenticate(u, p, remote),
        resolveOwner: (owner) => brokerAuth.resolveOwner(owner),
        persistenceDir: join(paths.dataDir, 'mqtt'),
        tls: tlsMaterial,
        onUpgrade: (path, handler) => http.onUpgrade(path, handler),
        bus,
        clock,
        log: log.child({ component: 'mqtt' }),
        version: version.version,
      })
    : undefined;

  const ingest = new IngestService(
    new SqliteInputRepo(db),
    new RedisLiveState(() => redis.redis, keys),
    {
      exists: (id) => feeds.exists(id),
      admit: (points) => feeds.admit(points),
      post: (id, points, join) => feeds.post(id, points, join),
    },
    bus,
    clock,
    { ...config.ingest, maxFutureS: config.timeseries.maxFutureS, timeZone: config.timezone },
    log.child({ component: 'ingest' }),
    // A publish the broker cannot take is counted in its failedPublishes (/readyz).
    broker && ((topic, payload) => void broker.publish(topic, payload).catch(() => undefined)),
  );
  const mqttSource =
    broker &&
    new MqttSourceRunner(
      (filter, handler) => broker.subscribe(filter, handler),
      ingest,
      bus,
      clock,
      { baseTopic: config.ingest.mqttBaseTopic },
      log.child({ component: 'mqtt-ingest' }),
    );
  const templates = new TemplateService(feeds, ingest);
  if (config.ingest.autoConfigure) autoConfigure(bus, templates, auth, log.child({ component: 'templates' }));
  const vzlogger = new VzloggerService(new SqliteVzChannelRepo(db), ingest, clock);
  const vzPush = config.ingest.vzloggerPush.enabled
    ? new VzPushServer(
        vzlogger,
        config.ingest.vzloggerPush.host,
        config.ingest.vzloggerPush.port,
        log.child({ component: 'vzlogger-push' }),
      )
    : undefined;
  const tariff = new TariffService(new SqliteTariffRepo(db), clock);
  const live = new LiveSocket({
    auth,
    bus,
    feed: (id) => (feeds.exists(id) ? feeds.get(id) : undefined),
    inputs: ingest,
    log: log.child({ component: 'ws' }),
    clock,
  });

  const components = [
    new EventLoopDelayMonitor(clock),
    database,
    redisServer,
    redis,
    feedFiles, // stopped after the flusher: its last write must finish first
    flusher,
    ...(broker ? [broker] : []),
    ingest,
    ...(mqttSource ? [mqttSource] : []),
    ...(vzPush ? [vzPush] : []),
    live,
    new DeviceControlSocket(
      devices,
      controlSocketPath(paths.runDir),
      log.child({ component: 'device-control' }),
    ),
  ];
  const readiness = () => hub.readiness();
  const { app } = createApp({
    auth,
    feeds,
    devices,
    ingest,
    templates,
    vzlogger,
    tariff,
    clock,
    maxFutureS: config.timeseries.maxFutureS,
    ingestBaseTopic: config.ingest.mqttBaseTopic,
    saveTimeZone: (timeZone) => saveTimeZone(paths.configFile, timeZone),
    mqttCaCertificate: () => {
      try {
        return config.mqtt.tls.enabled ? tlsMaterial().caCertPem : undefined;
      } catch {
        return undefined;
      }
    },
    mqttStatus: () => broker?.status(),
    timeZone: config.timezone,
    readiness,
    version,
    log: log.child({ component: 'http' }),
    bodyLimitKb: config.http.bodyLimitKb,
    trustProxy: config.http.trustProxy,
    uiDir: join(projectRoot, 'dist', 'ui'),
  });
  const httpLog = log.child({ component: 'http' });
  const http = new HttpServer(app, config.http.host, config.http.port, httpLog, realClock);
  http.onUpgrade('/ws', (req, socket, head) => live.handleUpgrade(req, socket, head));
  const hub = new Hub([...outerComponents, ...components, http], log);

  // Facts for `hub status`, written again whenever Redis (re)connects.
  const startedAtMs = clock.nowMs();
  redis.onReady((client) =>
    client.hset(keys.hubInfo(), { version: version.version, pid: process.pid, startedAtMs }),
  );
  return {
    hub,
    http,
    auth,
    feeds,
    flusher,
    devices,
    broker,
    bus,
    ingest,
    vzlogger,
    vzPush,
    templates,
    tariff,
    version,
  };
}

/** A node that says what it is (`describe`) gets its device template, owned by the first admin. */
function autoConfigure(bus: EventBus, templates: TemplateService, auth: AuthService, log: Logger): void {
  bus.on('ingest.device.described', ({ node, type }) => {
    const template = templateForDescribe(type);
    const owner = auth.listUsers().find((u) => u.role === 'admin');
    if (!template || !owner) return;
    try {
      const applied = templates.applyTemplate(template.id, node, owner.id);
      log.info({ node, type, template: template.id, feeds: applied.feeds.length }, 'device template applied');
    } catch (err) {
      log.warn({ node, type, err: describeError(err) }, 'device template could not be applied');
    }
  });
}

/** What the `hub` command needs offline: the database, users and feeds (no Redis, no HTTP). */
export function composeAdmin(
  loaded: LoadedConfig,
  clock: Clock = systemClock,
): {
  auth: AuthService;
  feeds: FeedService;
  devices: DeviceService;
  /** Feed import --remap: process lists follow feeds to their new ids. */
  processLists: {
    rewriteFeedIds(newIds: ReadonlyMap<number, number>): { id: number; node: string; name: string }[];
  };
  close(): void;
} {
  const { config, paths } = loaded;
  const db = openDatabase(paths.dbFile);
  migrate(db, MIGRATIONS, undefined, clock);
  const auth = new AuthService(new SqliteUserRepo(db), new SqliteSessionRepo(db), clock, config.auth);
  const noBuffer = new MemoryWriteBuffer(0);
  const feeds = new FeedService(
    new SqliteFeedRepo(db),
    new LocalFeedStore(new FeedFiles(join(paths.dataDir, 'feeds'))),
    { current: () => noBuffer, all: () => [], fallback: noBuffer },
    clock,
    { maxFutureS: config.timeseries.maxFutureS, timeZone: config.timezone },
  );
  const devices = new DeviceService(new SqliteDeviceRepo(db), clock);
  const inputs = new SqliteInputRepo(db);
  const processLists = {
    rewriteFeedIds: (newIds: ReadonlyMap<number, number>) => inputs.rewriteFeedArgs(newIds),
  };
  return { auth, feeds, devices, processLists, close: () => db.close() };
}

function readVersion(): VersionInfo {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  return { name: 'energy-hub', version: pkg.version, node: process.version };
}
