import type { PairingRequestView, PairingStateView } from '../../src/api/contract.js';

// What the pairing prompt (every admin page) and the manual add (dashboard) show: kept apart from
// devices-model.ts so that the dashboard's script carries only this. No DOM; tested as it is.

/** Requests still waiting for an admin: not yet allowed, no device made for them. */
export function waitingRequests(pairing: PairingStateView | undefined): PairingRequestView[] {
  return (pairing?.requests ?? []).filter((r) => r.allowedUntilMs === null && r.deviceId === null);
}

/** One line of the settings a householder types into a device's MQTT page. */
export interface DeviceSetting {
  key: 'host' | 'port' | 'tlsPort' | 'username' | 'password' | 'topic';
  value: string;
}

/**
 * Every MQTT setting a device needs: its login first (shown once), then where to connect. `host` is
 * the hub's address as this browser reached it (what a device on the same network reaches too).
 */
export function deviceSettings(facts: {
  host: string;
  tcpPort: number | undefined;
  tlsPort: number | undefined;
  username: string;
  secret: string;
  topicName: string;
}): DeviceSetting[] {
  const settings: DeviceSetting[] = [
    { key: 'username', value: facts.username },
    { key: 'password', value: facts.secret },
    { key: 'host', value: facts.host },
  ];
  if (facts.tcpPort !== undefined) settings.push({ key: 'port', value: String(facts.tcpPort) });
  if (facts.tlsPort !== undefined) settings.push({ key: 'tlsPort', value: String(facts.tlsPort) });
  settings.push({ key: 'topic', value: facts.topicName });
  return settings;
}
