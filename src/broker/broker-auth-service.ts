import { timingSafeEqual } from 'node:crypto';
import { RateLimitedError } from '../auth/auth-errors.js';
import type { UserDirectory } from '../auth/ports.js';
import type { DeviceLogin, DeviceLogins } from '../devices/ports.js';
import { deviceIdOf } from './client-id-registry.js';
import type { MqttAuthenticator, MqttLogin, PairingAdmission } from './ports.js';
import type { BrokerPrincipal } from './principal.js';

export interface BrokerAuthSettings {
  allowAnonymousLoopback: boolean;
  legacyLogin: { enabled: boolean; username: string; password: string | null };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Decides who an MQTT CONNECT is by asking each authenticator in order: the first that claims the
 * login decides; a login none claims is refused.
 */
export class BrokerAuthService {
  constructor(private readonly authenticators: readonly MqttAuthenticator[]) {}

  async authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    remoteAddress: string,
    clientId: string,
    webSocket = false,
  ): Promise<BrokerPrincipal | undefined> {
    const login: MqttLogin = { username, password, remoteAddress, clientId, webSocket };
    for (const authenticator of this.authenticators) {
      const verdict = await authenticator.authenticate(login);
      if (verdict === 'refuse') return undefined;
      if (verdict !== 'pass') return verdict;
    }
    return undefined;
  }

  /**
   * The principal a client-id owner (client-id-registry.ts) is now, with its grants of now;
   * undefined when it is gone (a deleted device or user, the legacy login turned off).
   */
  resolveOwner(owner: string): BrokerPrincipal | undefined {
    for (const authenticator of this.authenticators) {
      const principal = authenticator.resolveOwner?.(owner);
      if (principal) return principal;
    }
    return undefined;
  }
}

/**
 * The hub's logins, in the order they are tried: an anonymous reader (only if configured and only
 * from this machine), a pairing login (only while a pairing window is open), the legacy emonhub
 * login (only if enabled; its username is never a user's), a device (`dev-…`), a hub user (API
 * key or password).
 */
export function hubAuthenticators(
  auth: UserDirectory,
  devices: DeviceLogins,
  settings: BrokerAuthSettings,
  pairing: { admit(login: MqttLogin): PairingAdmission },
): MqttAuthenticator[] {
  return [
    anonymousLoopback(settings),
    pairingLogins(pairing),
    legacyLogin(devices, settings),
    deviceLogins(devices),
    userLogins(auth),
  ];
}

function anonymousLoopback(settings: BrokerAuthSettings): MqttAuthenticator {
  return {
    name: 'anonymous-loopback',
    authenticate: ({ username, password, remoteAddress }) => {
      if (username) return 'pass';
      const allowed = settings.allowAnonymousLoopback && LOOPBACK.test(remoteAddress) && !password;
      return allowed ? { kind: 'anonymous-loopback' } : 'pass'; // a pairing login, or refused there
    },
  };
}

/** Logins without a username (and Tasmota's default one) are pairing logins or nothing. */
function pairingLogins(pairing: { admit(login: MqttLogin): PairingAdmission }): MqttAuthenticator {
  return {
    name: 'pairing',
    authenticate: (login) => {
      const admission = pairing.admit(login);
      if (admission === 'pass') return login.username ? 'pass' : 'refuse';
      if (!admission.admit)
        throw Object.assign(new Error(admission.why), { returnCode: admission.returnCode });
      return { kind: 'pairing', clientId: login.clientId, remoteAddress: login.remoteAddress };
    },
  };
}

function legacyLogin(
  devices: Pick<DeviceLogins, 'ownedNodeRoots'>,
  settings: BrokerAuthSettings,
): MqttAuthenticator {
  const legacy = settings.legacyLogin;
  const principal = (username: string): BrokerPrincipal => ({
    kind: 'legacy',
    username,
    publishExcept: devices.ownedNodeRoots(),
  });
  const isLegacy = (username: string) => legacy.enabled && !!legacy.password && username === legacy.username;
  return {
    name: 'legacy',
    authenticate: ({ username = '', password }) => {
      if (!isLegacy(username)) return 'pass';
      return sameText(password?.toString('utf8') ?? '', legacy.password!) ? principal(username) : 'refuse';
    },
    resolveOwner: (owner) => {
      if (!owner.startsWith('legacy:')) return undefined;
      const username = owner.slice('legacy:'.length);
      return isLegacy(username) ? principal(username) : undefined;
    },
  };
}

function deviceLogins(devices: Pick<DeviceLogins, 'verify' | 'login'>): MqttAuthenticator {
  return {
    name: 'devices',
    authenticate: ({ username = '', password }) => {
      if (!username.startsWith('dev-')) return 'pass';
      const device = devices.verify(username, password?.toString('utf8') ?? '');
      return device ? devicePrincipal(device) : 'refuse';
    },
    resolveOwner: (owner) => {
      const deviceId = deviceIdOf(owner);
      const device = deviceId === undefined ? undefined : devices.login(deviceId);
      return device && devicePrincipal(device);
    },
  };
}

function userLogins(auth: UserDirectory): MqttAuthenticator {
  return {
    name: 'users',
    authenticate: async ({ username = '', password, remoteAddress }) => {
      const secret = password?.toString('utf8') ?? '';
      const byKey = auth.principalForApiKey(secret);
      if (byKey && byKey.username.toLowerCase() === username.toLowerCase()) {
        // A read key never publishes: it connects as a viewer whatever the user's role.
        const role = byKey.scope === 'read' ? 'viewer' : byKey.role;
        return { kind: 'user', username: byKey.username, role };
      }
      const user = await auth.checkCredentials(username, secret, remoteAddress).catch((err: unknown) => {
        // A throttled login is "server unavailable" (CONNACK 3), not a wrong password: retry later.
        if (err instanceof RateLimitedError) throw Object.assign(new Error(err.message), { returnCode: 3 });
        return undefined;
      });
      return user ? { kind: 'user', username: user.username, role: user.role } : 'refuse';
    },
    resolveOwner: (owner) => {
      const m = /^user:(.+?)(?::(admin|viewer))?$/.exec(owner);
      const user = m && auth.listUsers().find((u) => u.username.toLowerCase() === m[1]);
      if (!m || !user) return undefined;
      return { kind: 'user', username: user.username, role: m[2] === 'viewer' ? 'viewer' : user.role };
    },
  };
}

function devicePrincipal(device: DeviceLogin): BrokerPrincipal {
  return {
    kind: 'device',
    deviceId: device.id,
    username: device.mqttUsername,
    publish: device.publish,
    subscribe: device.subscribe,
    read: device.read,
    publishExcept: device.publishExcept,
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
