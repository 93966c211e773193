import type { DeviceView } from '../../src/api/contract.js';

// What the device pages show, worked out from the hub's answers: no DOM, no clock of its own
// (callers pass the time), so it is tested as it is. The little the dashboard's script needs too
// (the pairing prompt, the manual settings) is in device-setup.ts.

/** The list after a /ws `device` message: replaced in place, added in id order, or gone (null). */
export function applyDeviceMessage(
  devices: readonly DeviceView[],
  id: number,
  device: DeviceView | null,
): DeviceView[] {
  const rest = devices.filter((d) => d.id !== id);
  if (!device) return rest;
  const at = devices.findIndex((d) => d.id === id);
  if (at >= 0) return devices.map((d) => (d.id === id ? device : d));
  return [...rest, device].sort((a, b) => a.id - b.id);
}

export type SwitchShown = 'on' | 'off' | 'unknown';

/** What the switch shows: while a request is pending, what was asked; else the device's own report. */
export function switchShown(device: DeviceView, relay = 0): { shown: SwitchShown; pending: boolean } {
  const control = device.control;
  const desiredOn = control?.desired.on;
  if (control?.status === 'pending' && desiredOn !== undefined && (control.desired.relay ?? 0) === relay)
    return { shown: desiredOn ? 'on' : 'off', pending: true };
  const reported = device.state.relays[relay];
  return { shown: reported === true ? 'on' : reported === false ? 'off' : 'unknown', pending: false };
}

/** Whole seconds left until `untilMs` (0 when past or closed). */
export function secondsLeft(untilMs: number | null, nowMs: number): number {
  return untilMs === null ? 0 : Math.max(0, Math.ceil((untilMs - nowMs) / 1000));
}

/** `m:ss`, as a countdown reads. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
