import type { Role } from '../auth/roles.js';

/** Who is on the other end of an MQTT connection, decided once at CONNECT. */
export type BrokerPrincipal =
  | { kind: 'user'; username: string; role: Role }
  | {
      kind: 'device';
      deviceId: number;
      username: string;
      publish: readonly string[];
      subscribe: readonly string[];
    }
  | { kind: 'legacy'; username: string }
  | { kind: 'anonymous-loopback' };

/** A Mosquitto-style rule from config: `%u` (username) and `%c` (client id) fill whole levels. */
export interface AclRule {
  /** "user", "device", "any", or one username. */
  who: string;
  access: 'read' | 'write' | 'readwrite' | 'deny';
  topic: string;
}
