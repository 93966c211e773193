import { timingSafeEqual } from 'node:crypto';
import { RateLimitedError, type AuthService } from '../auth/auth-service.js';
import type { DeviceLogin, DeviceService } from '../devices/device-service.js';
import { deviceIdOf } from './client-id-registry.js';
import type { BrokerPrincipal } from './principal.js';

export interface BrokerAuthSettings {
  allowAnonymousLoopback: boolean;
  legacyLogin: { enabled: boolean; username: string; password: string | null };
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * Decides who an MQTT CONNECT is: a device (its own username and secret), the legacy emonhub
 * login (only if enabled), a hub user (password or API key), or, only if configured and only
 * from this machine, an anonymous reader. Anything else is refused.
 */
export class BrokerAuthService {
  constructor(
    private readonly auth: AuthService,
    private readonly devices: DeviceService,
    private readonly settings: BrokerAuthSettings,
  ) {}

  async authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    remoteAddress: string,
  ): Promise<BrokerPrincipal | undefined> {
    if (!username) {
      const loopback = LOOPBACK.test(remoteAddress);
      return this.settings.allowAnonymousLoopback && loopback && !password
        ? { kind: 'anonymous-loopback' }
        : undefined;
    }
    const secret = password?.toString('utf8') ?? '';
    const legacy = this.settings.legacyLogin;
    if (legacy.enabled && legacy.password && username === legacy.username) {
      return sameText(secret, legacy.password)
        ? { kind: 'legacy', username, publishExcept: this.devices.ownedNodeRoots() }
        : undefined;
    }
    if (username.startsWith('dev-')) {
      const device = this.devices.verify(username, secret);
      return device && devicePrincipal(device);
    }
    const byKey = this.auth.principalForApiKey(secret);
    if (byKey && byKey.username.toLowerCase() === username.toLowerCase()) {
      // A read key never publishes: it connects as a viewer whatever the user's role.
      return { kind: 'user', username: byKey.username, role: byKey.scope === 'read' ? 'viewer' : byKey.role };
    }
    const user = await this.auth.checkCredentials(username, secret, remoteAddress).catch((err: unknown) => {
      // A throttled login is "server unavailable" (CONNACK 3), not a wrong password: retry later.
      if (err instanceof RateLimitedError) throw Object.assign(new Error(err.message), { returnCode: 3 });
      return undefined;
    });
    return user && { kind: 'user', username: user.username, role: user.role };
  }

  /**
   * The principal a client-id owner (client-id-registry.ts) is now, with its grants of now;
   * undefined when it is gone (a deleted device or user, the legacy login turned off).
   */
  resolveOwner(owner: string): BrokerPrincipal | undefined {
    const deviceId = deviceIdOf(owner);
    if (deviceId !== undefined) {
      const device = this.devices.login(deviceId);
      return device && devicePrincipal(device);
    }
    const legacy = this.settings.legacyLogin;
    if (owner.startsWith('legacy:')) {
      const username = owner.slice('legacy:'.length);
      return legacy.enabled && legacy.password && username === legacy.username
        ? { kind: 'legacy', username, publishExcept: this.devices.ownedNodeRoots() }
        : undefined;
    }
    const m = /^user:(.+?)(?::(admin|viewer))?$/.exec(owner);
    const user = m && this.auth.listUsers().find((u) => u.username.toLowerCase() === m[1]);
    if (!m || !user) return undefined;
    return { kind: 'user', username: user.username, role: m[2] === 'viewer' ? 'viewer' : user.role };
  }
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
