import { wireApi } from './api/wire.js';
import { wireControl } from './api/control/wire.js';
import { wireAuth } from './auth/wire.js';
import { wireBackup } from './backup/wire.js';
import { wireBroker } from './broker/wire.js';
import type { LoadedConfig } from './config/config-file.fs.js';
import { readVersion } from './config/version.fs.js';
import { openAdminDatabase, wireDatabase } from './db/wire.js';
import { wireDeviceRuntime, wireDevices } from './devices/wire.js';
import { wireIngest, wireOfflineIngest } from './ingest/wire.js';
import type { ModuleContext } from './module-context.js';
import { systemClock, type Clock } from './shared/clock.js';
import type { Component } from './shared/component.js';
import { EventBus } from './shared/event-bus.js';
import { EventLoopDelayMonitor } from './shared/event-loop-delay.js';
import { Hub, type RetryBackoff } from './shared/hub.js';
import { silentLog, type Logger } from './shared/logger.js';
import { wirePairing } from './pairing/wire.js';
import { UpgradeRoutes } from './api/upgrade-routes.js';
import { wireScheduler } from './scheduler/wire.js';
import { wireSignals } from './signals/wire.js';
import { wireState } from './state/wire.js';
import { wireOfflineFeeds, wireTimeseries } from './timeseries/wire.js';
import { wireUpdates } from './updater/wire.js';
import { wireUplink } from './uplink/wire.js';

export type ComposedHub = ReturnType<typeof compose>;

/**
 * The one composition root: the capability modules in order (ADR 008). Each takes the ports of
 * those before it; their components start in this order and stop in reverse.
 */
export function compose(
  loaded: LoadedConfig,
  log: Logger,
  clock: Clock = systemClock,
  /** Made by the caller but shown in /readyz (the log sink); started first, stopped last. */
  outerComponents: readonly Component[] = [],
  /** Start retries of a component that could not start (tests shorten it). */
  retryBackoff?: RetryBackoff,
) {
  const hub = new Hub([...outerComponents, new EventLoopDelayMonitor(clock)], log, clock, retryBackoff);
  const base: ModuleContext = {
    ...loaded,
    log,
    clock,
    realClock: systemClock,
    bus: new EventBus(log.child({ component: 'bus' })),
    version: readVersion(),
    upgrades: new UpgradeRoutes(),
    readiness: hub,
  };
  const db = wireDatabase(base);
  const state = wireState(base);
  const auth = wireAuth({ ...base, ...db.ports });
  const timeseries = wireTimeseries({ ...base, ...db.ports, ...state.ports });
  const devices = wireDevices({ ...base, ...db.ports });
  const broker = wireBroker({ ...base, ...auth.ports, ...devices.ports });
  const pairing = wirePairing({ ...base, ...state.ports, ...devices.ports, ...broker.ports }); // before ingest's /emoncms/*
  const ports = { ...base, ...db.ports, ...state.ports, ...auth.ports, ...timeseries.ports, ...broker.ports };
  const ingest = wireIngest(ports);
  const driven = wireDeviceRuntime({ ...ports, ...devices.ports, ...ingest.ports }); // its readings → ingest
  const signals = wireSignals({ ...ports, ...ingest.ports });
  const scheduler = wireScheduler({ ...ports, ...devices.ports, ...driven.ports, ...signals.ports });
  const backup = wireBackup(ports); // the app's download and `hub backup` (ADR 012)
  const updates = wireUpdates(ports); // the app's and the server's update triggers (issue 15)
  const uplink = wireUplink({ ...ports, ...updates.ports }); // the project server's connection
  const modules = [
    db,
    state,
    auth,
    timeseries,
    devices,
    broker,
    pairing,
    ingest,
    driven,
    signals,
    scheduler,
    backup,
    updates,
    uplink,
  ];
  const routes = modules.flatMap((m) => m.routes);
  const live = { ...driven.ports, ...pairing.ports }; // what /ws shows besides values
  const api = wireApi({ ...ports, ...ingest.ports, ...signals.ports, ...live }, routes);
  const control = wireControl({ ...ports, ...devices.ports, ...ingest.ports, ...backup.ports }); // `hub` writes (ADR 009)
  for (const module of [...modules, api, control]) hub.add(...module.components);
  return {
    hub,
    bus: base.bus,
    version: base.version,
    routes: api.routes,
    ...auth.ports,
    ...timeseries.ports,
    ...devices.ports,
    ...broker.ports,
    ...pairing.ports,
    ...ingest.ports,
    ...signals.ports,
    ...scheduler.ports,
    ...api.ports,
  };
}

/**
 * What the `hub` command needs offline: the same modules' database, users, devices and feeds.
 * `readOnly` (reads, which take no lock): hub.db is neither created nor migrated (ADR 009).
 */
export function composeAdmin(
  loaded: LoadedConfig,
  clock: Clock = systemClock,
  opts: { readOnly?: boolean } = {},
) {
  const db = openAdminDatabase(loaded.paths.dbFile, clock, opts);
  const ctx = { ...loaded, db, clock, log: silentLog, bus: new EventBus(silentLog) };
  return {
    ...wireAuth(ctx).ports,
    ...wireOfflineFeeds(ctx),
    ...wireDevices(ctx).ports,
    ...wireOfflineIngest(ctx),
    close: () => db.close(),
  };
}
