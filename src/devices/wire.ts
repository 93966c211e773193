import { deviceRoutes } from '../api/routes/devices.js';
import type { MqttPort } from '../broker/ports.js';
import type { AuthPorts } from '../auth/wire.js';
import type { DbPorts } from '../db/wire.js';
import type { IngestPort, InputsPort } from '../ingest/ports.js';
import type { TemplateService } from '../ingest/template-service.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { Component } from '../shared/component.js';
import type { StatePorts } from '../state/wire.js';
import { DeviceControlService } from './device-control-service.js';
import { DeviceReadingsRunner } from './device-readings-runner.js';
import { SqliteDeviceRepo } from './device-repo.sqlite.js';
import { DeviceRunner } from './device-runner.js';
import { DeviceService } from './device-service.js';
import { RedisDeviceStateStore } from './device-state.redis.js';
import { DeviceViews } from './device-views.js';
import { driverFor } from './driver-registry.js';

export interface DevicePorts {
  devices: DeviceService;
}

/** Devices and their MQTT logins (the broker asks them who a login is). */
export function wireDevices(
  ctx: Pick<ModuleContext, 'log' | 'clock' | 'bus'> & DbPorts,
): WiredModule<DevicePorts> {
  const devices = new DeviceService(
    new SqliteDeviceRepo(ctx.db),
    ctx.clock,
    ctx.bus,
    ctx.log.child({ component: 'devices' }),
  );
  return { components: [], routes: [], ports: { devices } };
}

export interface DeviceRuntimePorts {
  deviceViews: DeviceViews;
  deviceControl: DeviceControlService;
}

/**
 * Devices made live (issue 13): their drivers on the broker, their state in Redis, control, their
 * readings posted to ingest, and the /api/v1/devices routes. Wired after the broker, which asks
 * `wireDevices` about logins, and after ingest, which takes their readings and knows their feeds.
 */
export function wireDeviceRuntime(
  ctx: Pick<ModuleContext, 'config' | 'log' | 'clock' | 'bus'> &
    DevicePorts &
    StatePorts &
    AuthPorts &
    // Ingest's ports as types: naming ingest/wire.ts here would close a loop through the broker.
    {
      ingest: IngestPort & InputsPort;
      templates: Pick<TemplateService, 'applyTemplate'>;
      broker: MqttPort | undefined;
    },
): WiredModule<DeviceRuntimePorts> {
  const { devices, bus, clock } = ctx;
  const log = ctx.log.child({ component: 'device-runner' });
  // Rows without grants: the runner and views need no ACL (DeviceService.get derives it for all).
  const records = { list: () => devices.list(), get: (id: number) => devices.record(id) };
  const runner = new DeviceRunner({
    devices: {
      ...records,
      driverConfig: (id) => devices.driverConfig(id),
      setDriverConfig: (id, config) => devices.setDriverConfig(id, config),
    },
    drivers: driverFor,
    mqtt: ctx.broker,
    store: new RedisDeviceStateStore(() => ctx.redis.redis, ctx.keys),
    bus,
    clock,
    log,
  });
  const exists = (id: number) => devices.record(id) !== undefined;
  const control = new DeviceControlService(runner, bus, clock, ctx.config.devices, log, exists);
  const views = new DeviceViews({ devices: records, runner, control, inputs: ctx.ingest });
  const readings = new DeviceReadingsRunner({
    bus,
    devices: records,
    states: runner,
    ingest: ctx.ingest,
    templates: ctx.templates,
    inputs: ctx.ingest,
    users: ctx.auth,
    clock,
    log: ctx.log.child({ component: 'device-readings' }),
  });
  const component: Component = {
    name: runner.name,
    start: async () => {
      control.open();
      await runner.start();
    },
    stop: async () => {
      control.close();
      await runner.stop();
    },
    status: () => runner.status(),
  };
  return {
    // Readings listen before the runner starts, so no first report goes unposted.
    components: [readings, component],
    routes: deviceRoutes({ devices, views, control }),
    ports: { deviceViews: views, deviceControl: control },
  };
}
