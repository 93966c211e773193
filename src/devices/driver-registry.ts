// Which driver takes over a device of each kind. Kinds without one (a gateway, the hub's own
// topics) have none: the hub shows them but does not switch them.
import { describeError } from '../shared/errors.js';
import type { DeviceKind } from './device-topics.js';
import type { DeviceDriver } from './driver.js';
import { emonespDriver } from './drivers/emonesp.js';
import { openevseDriver } from './drivers/openevse.js';
import { shellyDriver } from './drivers/shelly.js';
import { tasmotaDriver } from './drivers/tasmota.js';

const DRIVERS: ReadonlyMap<DeviceKind, DeviceDriver> = new Map<DeviceKind, DeviceDriver>([
  ['tasmota', tasmotaDriver],
  ['emonesp', emonespDriver],
  ['shelly', shellyDriver],
  ['openevse', openevseDriver],
]);

export function driverFor(kind: DeviceKind): DeviceDriver | undefined {
  return DRIVERS.get(kind);
}

export const DRIVEN_KINDS: readonly DeviceKind[] = [...DRIVERS.keys()];

export interface ParsedDriverConfig {
  config: unknown;
  /** Why the stored config was not used (the defaults were), or null when it was. */
  problem: string | null;
}

/**
 * The typed config of a stored device: `json` (its stored text, null for none) validated by its
 * driver's schema, or the driver's defaults with the reason. Undefined for a kind with no driver.
 */
export function parseDriverConfig(
  kind: DeviceKind,
  json: string | null | undefined,
): ParsedDriverConfig | undefined {
  const driver = DRIVERS.get(kind);
  if (!driver) return undefined;
  const defaults = (): unknown => driver.configSchema.parse({});
  if (json === null || json === undefined || json.trim() === '') return { config: defaults(), problem: null };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return { config: defaults(), problem: `the stored ${kind} config is not JSON (${describeError(err)})` };
  }
  const parsed = driver.configSchema.safeParse(value);
  if (parsed.success) return { config: parsed.data, problem: null };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return {
    config: defaults(),
    problem: `the stored ${kind} config is not valid${where}: ${issue?.message ?? 'unknown'}`,
  };
}
