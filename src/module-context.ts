import type { VersionInfo } from './api/contract.js';
import type { RouteDef } from './api/route-table.js';
import type { HubPaths } from './config/config-file.fs.js';
import type { HubConfig } from './config/schema.js';
import type { Clock } from './shared/clock.js';
import type { Component } from './shared/component.js';
import type { EventBus } from './shared/event-bus.js';
import type { Readiness } from './shared/hub.js';
import type { Logger } from './shared/logger.js';
import type { UpgradeRoutes } from './api/upgrade-routes.js';

// The shape of a capability module (ADR 008): `wire<Capability>(ctx)` takes this context plus the
// ports of the modules wired before it (typed fields, listed in its parameter type) and returns
// its components, its routes and the ports it offers to the modules after it.

/** What every module may use: settings, places, time, the bus and the hub-wide registries. */
export interface ModuleContext {
  config: HubConfig;
  paths: HubPaths;
  log: Logger;
  clock: Clock;
  /**
   * For waits on real processes and sockets (redis-server starting, Redis answering, the HTTP
   * drain): a test's manual clock would stall them.
   */
  realClock: Clock;
  bus: EventBus;
  version: VersionInfo;
  /** WebSocket upgrade paths (/mqtt, /ws), handed on by the HTTP server. */
  upgrades: UpgradeRoutes;
  /** Every component's state, for /readyz. */
  readiness: { readiness(): Readiness };
}

export interface WiredModule<Ports> {
  /** Started in this order after the modules before, stopped in reverse. */
  components: readonly Component[];
  routes: readonly RouteDef[];
  ports: Ports;
}
