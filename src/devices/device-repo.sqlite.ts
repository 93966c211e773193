import type { Db } from '../db/database.sqlite.js';
import type { DeviceKind } from './device-topics.js';
import type { DeviceRepo, DeviceRow, DeviceRowWithSecret } from './ports.js';

interface Row {
  id: number;
  name: string;
  kind: DeviceKind;
  topic_name: string;
  mqtt_username: string;
  secret_sha256: string;
  created_at_ms: number;
}

const toRecord = (r: Row): DeviceRowWithSecret => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  topicName: r.topic_name,
  mqttUsername: r.mqtt_username,
  secretSha256: r.secret_sha256,
  createdAtMs: r.created_at_ms,
});

export class SqliteDeviceRepo implements DeviceRepo {
  constructor(private readonly db: Db) {}

  insert(d: Omit<DeviceRowWithSecret, 'id'>): DeviceRowWithSecret {
    const result = this.db
      .prepare(
        `INSERT INTO devices (name, kind, topic_name, mqtt_username, secret_sha256, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(d.name, d.kind, d.topicName, d.mqttUsername, d.secretSha256, d.createdAtMs);
    return { ...d, id: Number(result.lastInsertRowid) };
  }

  byUsername(username: string): DeviceRowWithSecret | undefined {
    const row = this.db.prepare('SELECT * FROM devices WHERE mqtt_username = ?').get(username) as
      Row | undefined;
    return row && toRecord(row);
  }

  list(): DeviceRow[] {
    return (this.db.prepare('SELECT * FROM devices ORDER BY id').all() as Row[]).map((r) => {
      const { secretSha256: _secret, ...device } = toRecord(r);
      return device;
    });
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
  }
}
