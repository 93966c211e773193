import type { DbPorts } from '../db/wire.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import { SqliteDeviceRepo } from './device-repo.sqlite.js';
import { DeviceService } from './device-service.js';

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
