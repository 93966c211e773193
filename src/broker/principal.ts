import type { Role } from '../auth/roles.js';

/** Who is on the other end of an MQTT connection, decided once at CONNECT. */
export type BrokerPrincipal =
  | { kind: 'user'; username: string; role: Role }
  | {
      kind: 'device';
      deviceId: number;
      username: string;
      publish: readonly string[];
      /** Its command topics. */
      subscribe: readonly string[];
      /** Read-only subscriptions to topics others own (OpenEVSE's solar-divert meter). */
      read: readonly string[];
      /** Publish filters it yields to other devices (a gateway's nodes that others own). */
      publishExcept: readonly string[];
    }
  | {
      kind: 'legacy';
      username: string;
      /** The emon/ node roots devices own: the shared emonpi login may not write there. */
      publishExcept: readonly string[];
    }
  | { kind: 'anonymous-loopback' }
  /**
   * A device pairing without typing (docs/devices.md): its publishes reach only the pairing
   * service, and it receives only what the hub sends it directly.
   */
  | { kind: 'pairing'; clientId: string; remoteAddress: string };

/** A Mosquitto-style rule from config: `%u` (username) and `%c` (client id) fill whole levels. */
export interface AclRule {
  /** "user", "device", "any", or one username. */
  who: string;
  access: 'read' | 'write' | 'readwrite' | 'deny';
  topic: string;
}
