import type { PairingClaimSettings, PairingClaimView } from '../../src/api/contract.js';
import { deviceSettings, type DeviceSetting } from './device-setup.js';

// What the pairing prompt shows of one device that connected with a pairing login: its name, what
// an admin may do, the settings to type in. Loaded with the claim's code, not the dashboard's
// script. No DOM; tested as it is.

/**
 * How the prompt names a device: the topic it announced (what its own web page shows, and unique
 * where the device name is Tasmota's default "Tasmota"), else the name it gave itself, else its
 * client id.
 */
export function claimName(claim: PairingClaimView): string {
  return claim.topicName ?? claim.label ?? claim.clientId;
}

/** `"tasmota_1A2B3C" (Sonoff Basic)`: its name, quoted, and its model when it said one. */
export function claimWhat(claim: PairingClaimView): string {
  const name = `"${claimName(claim)}"`;
  return claim.model ? `${name} (${claim.model})` : name;
}

/**
 * What an admin may do now: answer it (it said what it is), only deny it (not yet, or the hub
 * cannot pair it: `problem` says why), or nothing (already allowed).
 */
export function claimActions(claim: PairingClaimView): { allow: boolean; deny: boolean } {
  if (claim.status === 'waiting') return { allow: claim.kind !== null && claim.problem === null, deny: true };
  if (claim.status === 'connected') return { allow: false, deny: true };
  return { allow: false, deny: false };
}

/** The settings to type in by hand, in the order the manual add shows them (login first). */
export function claimSettingsShown(settings: PairingClaimSettings): DeviceSetting[] {
  return deviceSettings({
    host: settings.host,
    tcpPort: settings.port ?? undefined,
    tlsPort: settings.tlsPort ?? undefined,
    username: settings.username,
    secret: settings.password,
    topicName: settings.topic,
  });
}
