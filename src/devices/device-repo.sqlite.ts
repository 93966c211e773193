import type { Db } from '../db/database.sqlite.js';
import type { DeviceKind } from './device-topics.js';
import type { DeviceChange, DeviceRepo, DeviceRow, DeviceRowWithSecret } from './ports.js';

interface Row {
  id: number;
  name: string;
  room: string | null;
  kind: DeviceKind;
  topic_name: string;
  mqtt_username: string;
  secret_sha256: string;
  created_at_ms: number;
}

const toRecord = (r: Row): DeviceRowWithSecret => ({
  id: r.id,
  name: r.name,
  room: r.room,
  kind: r.kind,
  topicName: r.topic_name,
  mqttUsername: r.mqtt_username,
  secretSha256: r.secret_sha256,
  createdAtMs: r.created_at_ms,
});

function withoutSecret(r: Row): DeviceRow {
  const { secretSha256: _secret, ...device } = toRecord(r);
  return device;
}

export class SqliteDeviceRepo implements DeviceRepo {
  constructor(private readonly db: Db) {}

  insert(d: Omit<DeviceRowWithSecret, 'id'>): DeviceRowWithSecret {
    const result = this.db
      .prepare(
        `INSERT INTO devices (name, room, kind, topic_name, mqtt_username, secret_sha256, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.name, d.room, d.kind, d.topicName, d.mqttUsername, d.secretSha256, d.createdAtMs);
    return { ...d, id: Number(result.lastInsertRowid) };
  }

  byUsername(username: string): DeviceRowWithSecret | undefined {
    const row = this.db.prepare('SELECT * FROM devices WHERE mqtt_username = ?').get(username) as
      Row | undefined;
    return row && toRecord(row);
  }

  get(id: number): DeviceRow | undefined {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    return row && withoutSecret(row);
  }

  list(): DeviceRow[] {
    return (this.db.prepare('SELECT * FROM devices ORDER BY id').all() as Row[]).map(withoutSecret);
  }

  update(id: number, change: DeviceChange): boolean {
    const row = this.get(id);
    if (!row) return false;
    this.db
      .prepare('UPDATE devices SET name = ?, room = ? WHERE id = ?')
      .run(change.name ?? row.name, change.room === undefined ? row.room : change.room, id);
    return true;
  }

  driverConfig(id: number): string | undefined {
    const row = this.db.prepare('SELECT driver_config FROM devices WHERE id = ?').get(id) as
      { driver_config: string } | undefined;
    return row?.driver_config;
  }

  setDriverConfig(id: number, json: string): boolean {
    return this.db.prepare('UPDATE devices SET driver_config = ? WHERE id = ?').run(json, id).changes > 0;
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }
}
