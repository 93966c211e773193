import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/event-bus.js';
import { UserError } from '../shared/errors.js';
import { DEVICE_KINDS, topicsFor, type DeviceKind } from './device-topics.js';
import type { Device, DeviceRepo } from './ports.js';

/** A device's MQTT login; the secret is shown once, at creation, and stored only as a hash. */
export interface DeviceCredentials {
  device: Device;
  mqttUsername: string;
  secret: string;
}

// Device secrets are 192 random bits, so a fast hash is enough (no dictionary to slow down),
// and a reconnecting device costs the Pi microseconds, not a scrypt.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class DeviceService {
  constructor(
    private readonly repo: DeviceRepo,
    private readonly clock: Clock,
    private readonly bus?: EventBus,
  ) {}

  add(name: unknown, kind: unknown, topicName: unknown): DeviceCredentials {
    if (typeof name !== 'string' || name.length < 1 || name.length > 64) {
      throw new UserError('name must be 1 to 64 characters', 400, 'invalid_name');
    }
    if (!(DEVICE_KINDS as readonly unknown[]).includes(kind)) {
      throw new UserError(`kind must be one of ${DEVICE_KINDS.join(', ')}`, 400, 'invalid_kind');
    }
    let topics;
    try {
      topics = topicsFor(kind as DeviceKind, String(topicName ?? ''));
    } catch (err) {
      throw new UserError((err as Error).message, 400, 'invalid_topic');
    }
    const mqttUsername = `dev-${kind as string}-${String(topicName)}`.toLowerCase();
    if (this.repo.byUsername(mqttUsername)) {
      throw new UserError(`a device with the MQTT username ${mqttUsername} exists`, 409, 'device_exists');
    }
    const secret = randomBytes(24).toString('base64url');
    const record = this.repo.insert({
      name,
      kind: kind as DeviceKind,
      mqttUsername,
      secretSha256: sha256(secret),
      ...topics,
      createdAtMs: this.clock.nowMs(),
    });
    const { secretSha256: _hash, ...device } = record;
    return { device, mqttUsername, secret };
  }

  list(): Device[] {
    return this.repo.list();
  }

  remove(id: number): void {
    if (!this.repo.delete(id)) throw new UserError(`device ${id} does not exist`, 404, 'device_not_found');
    this.bus?.emit('device.removed', { deviceId: id }); // its live MQTT session ends too
  }

  /** The device whose login this is, or undefined (unknown username and wrong secret look alike). */
  verify(username: string, secret: string): Device | undefined {
    const record = this.repo.byUsername(username);
    const expected = Buffer.from(record?.secretSha256 ?? '0'.repeat(64), 'hex');
    const ok = timingSafeEqual(Buffer.from(sha256(secret), 'hex'), expected) && record !== undefined;
    if (!ok || !record) return undefined;
    const { secretSha256: _hash, ...device } = record;
    return device;
  }
}
