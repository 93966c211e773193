import type { Db } from '../db/database.sqlite.js';
import type { DeviceKind } from './device-topics.js';
import type { Device, DeviceRecord, DeviceRepo } from './ports.js';

interface Row {
  id: number;
  name: string;
  kind: DeviceKind;
  mqtt_username: string;
  secret_sha256: string;
  publish_filters: string;
  subscribe_filters: string;
  created_at_ms: number;
}

const toRecord = (r: Row): DeviceRecord => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  mqttUsername: r.mqtt_username,
  secretSha256: r.secret_sha256,
  publish: JSON.parse(r.publish_filters) as string[],
  subscribe: JSON.parse(r.subscribe_filters) as string[],
  createdAtMs: r.created_at_ms,
});

export class SqliteDeviceRepo implements DeviceRepo {
  constructor(private readonly db: Db) {}

  insert(d: Omit<DeviceRecord, 'id'>): DeviceRecord {
    const result = this.db
      .prepare(
        `INSERT INTO devices (name, kind, mqtt_username, secret_sha256, publish_filters, subscribe_filters, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        d.name,
        d.kind,
        d.mqttUsername,
        d.secretSha256,
        JSON.stringify(d.publish),
        JSON.stringify(d.subscribe),
        d.createdAtMs,
      );
    return { ...d, id: Number(result.lastInsertRowid) };
  }

  byUsername(username: string): DeviceRecord | undefined {
    const row = this.db.prepare('SELECT * FROM devices WHERE mqtt_username = ?').get(username) as
      Row | undefined;
    return row && toRecord(row);
  }

  list(): Device[] {
    return (this.db.prepare('SELECT * FROM devices ORDER BY id').all() as Row[]).map((r) => {
      const { secretSha256: _secret, ...device } = toRecord(r);
      return device;
    });
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }
}
