import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { UserError } from '../shared/errors.js';
import { findConflict, publishExceptFor, type GrantHolder } from './device-grants.js';
import {
  DEVICE_KINDS,
  emonhubNodeTopics,
  isGatewayKind,
  topicsFor,
  type DeviceKind,
  type DeviceTopics,
} from './device-topics.js';
import type { Device, DeviceChange, DeviceLogin, DeviceRepo, DeviceRow } from './ports.js';

export type { DeviceLogin };

/** A device's MQTT login; the secret is shown once, at creation, and stored only as a hash. */
export interface DeviceCredentials {
  device: Device;
  mqttUsername: string;
  secret: string;
}

// Device secrets are 192 random bits, so a fast hash is enough (no dictionary to slow down),
// and a reconnecting device costs the Pi microseconds, not a scrypt.
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A gateway that is no device: what it yields is every node root some device owns. */
const GATEWAY_PROBE: GrantHolder = {
  id: 0,
  kind: 'emonhub',
  mqttUsername: '',
  publish: [],
  subscribe: [],
  read: [],
};

const NO_GRANTS: DeviceTopics = { publish: [], subscribe: [], read: [] };

/** Grants follow from kind and topic name at every load, so a fixed kind reaches old rows too. */
export function withGrants(row: DeviceRow): Device {
  let topics = NO_GRANTS;
  try {
    if ((DEVICE_KINDS as readonly string[]).includes(row.kind)) topics = topicsFor(row.kind, row.topicName);
  } catch {
    // A name reserved since it was added (a Shelly called "hub"): it keeps its login, not the grants.
  }
  return { ...row, ...structuredClone(topics) };
}

const notFound = (id: number) => new UserError(`device ${id} does not exist`, 404, 'device_not_found');

export class DeviceService {
  private readonly loggedExtraGateways = new Set<number>();

  constructor(
    private readonly repo: DeviceRepo,
    private readonly clock: Clock,
    private readonly bus?: EventBus,
    private readonly log?: Logger,
  ) {}

  add(name: unknown, kind: unknown, topicName: unknown): DeviceCredentials {
    if (typeof name !== 'string' || name.length < 1 || name.length > 64) {
      throw new UserError('name must be 1 to 64 characters', 400, 'invalid_name');
    }
    if (!(DEVICE_KINDS as readonly unknown[]).includes(kind)) {
      throw new UserError(`kind must be one of ${DEVICE_KINDS.join(', ')}`, 400, 'invalid_kind');
    }
    const deviceKind = kind as DeviceKind;
    const topic = String(topicName ?? '');
    let topics;
    try {
      topics = topicsFor(deviceKind, topic);
    } catch (err) {
      throw new UserError((err as Error).message, 400, 'invalid_topic');
    }
    const mqttUsername = `dev-${deviceKind}-${topic}`.toLowerCase();
    if (this.repo.byUsername(mqttUsername)) {
      throw new UserError(`a device with the MQTT username ${mqttUsername} exists`, 409, 'device_exists');
    }
    const existing = this.list();
    const conflict = findConflict({ id: 0, kind: deviceKind, mqttUsername, ...topics }, existing);
    if (conflict) {
      const other = existing.find((d) => d.id === conflict.other.id)!;
      throw new UserError(
        `${conflict.mine} overlaps ${conflict.theirs} of device ${other.id} "${other.name}" (${other.kind}); ` +
          (isGatewayKind(deviceKind) && isGatewayKind(other.kind)
            ? 'only one gateway may own emon/#'
            : 'two devices may not share topics'),
        409,
        'device_topics_overlap',
      );
    }
    const secret = randomBytes(24).toString('base64url');
    const { secretSha256: _hash, ...row } = this.repo.insert({
      name,
      room: null,
      kind: deviceKind,
      topicName: topic,
      mqttUsername,
      secretSha256: sha256(secret),
      createdAtMs: this.clock.nowMs(),
    });
    const device = withGrants(row);
    // Connected gateways and legacy logins decided their grants at CONNECT: they must reconnect
    // to yield the new device's nodes.
    if (publishExceptFor(GATEWAY_PROBE, [device]).length > 0) {
      for (const gateway of existing.filter((d) => isGatewayKind(d.kind))) {
        this.bus?.emit('device.grants.changed', { deviceId: gateway.id });
      }
      this.bus?.emit('device.nodes.taken', { deviceId: device.id });
    }
    this.bus?.emit('device.added', { deviceId: device.id });
    return { device, mqttUsername, secret };
  }

  /** One device as stored, without its grants (cheap: for views), or undefined. */
  record(id: number): DeviceRow | undefined {
    return this.repo.get(id);
  }

  /** One device with its grants, or undefined. */
  get(id: number): Device | undefined {
    return this.list().find((d) => d.id === id);
  }

  /** Renames it or moves it to another room (a blank room clears it); answers the device as now. */
  update(id: number, change: DeviceChange): Device {
    const next: DeviceChange = {};
    if (change.name !== undefined) {
      const name = change.name.trim();
      if (name.length < 1 || name.length > 64)
        throw new UserError('name must be 1 to 64 characters', 400, 'invalid_name');
      next.name = name;
    }
    if (change.room !== undefined) {
      const room = change.room?.trim() ?? '';
      if (room.length > 64) throw new UserError('room must be at most 64 characters', 400, 'invalid_room');
      next.room = room === '' ? null : room;
    }
    if (!this.repo.update(id, next)) throw notFound(id);
    this.bus?.emit('device.state.changed', { deviceId: id }); // its view changed
    return this.get(id)!;
  }

  /** What its driver learned of it (JSON as stored; the driver's schema checks it), or undefined. */
  driverConfig(id: number): unknown {
    const json = this.repo.driverConfig(id);
    if (json === undefined) return undefined;
    try {
      return JSON.parse(json) as unknown;
    } catch {
      return {};
    }
  }

  /** Keeps what a driver learned (relay count, metering) across restarts; false if it is gone. */
  setDriverConfig(id: number, config: unknown): boolean {
    return this.repo.setDriverConfig(id, JSON.stringify(config ?? {}));
  }

  /**
   * Every device with its grants. Only one gateway may own emon/#: should there be more (version
   * 1 stored one emonhub row per node, and its migration made each a full gateway), the oldest
   * keeps the gateway grants and the others their version 1 node grants (`emon/<n>`,
   * `emon/<n>/#`), which overlap the gateway's on purpose, as in version 1.
   */
  list(): Device[] {
    const rows = this.repo.list(); // by id: the oldest first
    const gatewayId = rows.find((r) => isGatewayKind(r.kind))?.id;
    return rows.map((row) => {
      if (!isGatewayKind(row.kind) || row.id === gatewayId) return withGrants(row);
      if (!this.loggedExtraGateways.has(row.id)) {
        this.loggedExtraGateways.add(row.id);
        this.log?.warn(
          { deviceId: row.id, name: row.name, gatewayId },
          'a second gateway keeps only its version 1 node grants: only the oldest may own emon/# (delete the extra one)',
        );
      }
      let topics = NO_GRANTS;
      try {
        topics = emonhubNodeTopics(row.topicName);
      } catch {
        // A reserved name: it keeps its login, not the grants.
      }
      return { ...row, ...structuredClone(topics) };
    });
  }

  /** Device `id`'s login with its grants of now, or undefined if it no longer exists. */
  login(id: number): DeviceLogin | undefined {
    const all = this.list();
    const device = all.find((d) => d.id === id);
    return device && { ...device, publishExcept: publishExceptFor(device, all) };
  }

  remove(id: number): void {
    if (!this.repo.delete(id)) throw notFound(id);
    this.bus?.emit('device.removed', { deviceId: id }); // its live MQTT session ends too
  }

  /** The emon/ node roots devices own, which neither a gateway nor the legacy login may write. */
  ownedNodeRoots(): string[] {
    return publishExceptFor(GATEWAY_PROBE, this.list());
  }

  /** The device whose login this is, or undefined (unknown username and wrong secret look alike). */
  verify(username: string, secret: string): DeviceLogin | undefined {
    const record = this.repo.byUsername(username);
    const expected = Buffer.from(record?.secretSha256 ?? '0'.repeat(64), 'hex');
    const ok = timingSafeEqual(Buffer.from(sha256(secret), 'hex'), expected) && record !== undefined;
    if (!ok || !record) return undefined;
    return this.login(record.id);
  }
}
