import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthPorts } from '../auth/wire.js';
import type { DeviceRuntimePorts } from '../devices/wire.js';
import type { PairingPorts } from '../pairing/wire.js';
import { saveTimeZone } from '../config/config-file.fs.js';
import type { IngestPorts } from '../ingest/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { RouteDef } from './route-table.js';
import type { SignalPorts } from '../signals/wire.js';
import type { TimeseriesPorts } from '../timeseries/wire.js';
import { createApp } from './app.js';
import { bootStateFor } from './boot-state.js';
import { HttpServer } from './http-server.js';
import { LiveSocket } from './live-socket.js';
import { systemRoutes } from './routes/system.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ApiPorts {
  http: HttpServer;
}

type Ctx = ModuleContext &
  AuthPorts &
  TimeseriesPorts &
  IngestPorts &
  SignalPorts &
  Partial<DeviceRuntimePorts & PairingPorts>;

/** The HTTP side, wired last: the app over every module's routes, /ws, and the server. */
export function wireApi(ctx: Ctx, moduleRoutes: readonly RouteDef[]): WiredModule<ApiPorts> {
  const { config, paths, clock, auth, feeds, version, deviceViews, pairing } = ctx;
  const log = ctx.log.child({ component: 'http' });
  const timeZone = config.timezone;
  const routes = [
    ...systemRoutes({
      readiness: () => ctx.readiness.readiness(),
      version,
      timeZone,
      saveTimeZone: (zone) => saveTimeZone(paths.configFile, zone),
    }),
    ...moduleRoutes,
  ];
  const bootDeps = { auth, feeds, tariff: ctx.tariff, clock, version, timeZone };
  const { app } = createApp({
    routes,
    auth,
    log,
    bodyLimitKb: config.http.bodyLimitKb,
    trustProxy: config.http.trustProxy,
    ui: {
      dir: join(projectRoot, 'dist', 'ui'),
      stateFor: (requestAuth) => bootStateFor(bootDeps, requestAuth),
    },
  });
  const live = new LiveSocket({
    auth,
    bus: ctx.bus,
    feed: (id) => (feeds.exists(id) ? feeds.get(id) : undefined),
    inputs: ctx.ingest,
    log: ctx.log.child({ component: 'ws' }),
    clock,
    deviceView: deviceViews && ((id) => deviceViews.get(id)),
    pairingState: pairing && (() => pairing.state()),
  });
  ctx.upgrades.onUpgrade('/ws', (req, socket, head) => live.handleUpgrade(req, socket, head));
  const http = new HttpServer(app, config.http.host, config.http.port, log, ctx.realClock, ctx.upgrades);
  return { components: [live, http], routes, ports: { http } };
}
