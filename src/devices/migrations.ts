import type { Migration } from '../db/migration.js';

// Version 1's topic name, from the grants it stored (hub/dev/<n>/#, emon/<n>, tele/<n>/#, <n>/#).
const TOPIC_NAME_FROM_V1 = `CASE kind
  WHEN 'hub' THEN substr(json_extract(publish_filters, '$[0]'), 9, length(json_extract(publish_filters, '$[0]')) - 10)
  WHEN 'emonhub' THEN substr(json_extract(publish_filters, '$[0]'), 6)
  WHEN 'tasmota' THEN substr(json_extract(publish_filters, '$[0]'), 6, length(json_extract(publish_filters, '$[0]')) - 7)
  WHEN 'shelly' THEN substr(json_extract(publish_filters, '$[0]'), 1, length(json_extract(publish_filters, '$[0]')) - 2)
  ELSE substr(mqtt_username, length('dev-' || kind || '-') + 1)
END`;

export const deviceMigrations: Migration[] = [
  {
    capability: 'devices',
    version: 1,
    name: 'devices',
    up: `CREATE TABLE devices (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      mqtt_username TEXT NOT NULL UNIQUE,
      secret_sha256 TEXT NOT NULL,
      publish_filters TEXT NOT NULL,
      subscribe_filters TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    ) STRICT;`,
  },
  {
    // Ids are never reused (AUTOINCREMENT): a deleted device's id must not name a new one in
    // logs, API calls or a CLI command typed late. Grants are no longer stored but derived from
    // kind and topic name at every load, so upgrades fix them.
    capability: 'devices',
    version: 2,
    name: 'device ids never reused; topic name instead of stored grants',
    up: `CREATE TABLE devices_v2 (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      topic_name TEXT NOT NULL,
      mqtt_username TEXT NOT NULL UNIQUE,
      secret_sha256 TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    ) STRICT;
    INSERT INTO devices_v2 (id, name, kind, topic_name, mqtt_username, secret_sha256, created_at_ms)
      SELECT id, name, kind, ${TOPIC_NAME_FROM_V1}, mqtt_username, secret_sha256, created_at_ms FROM devices;
    DROP TABLE devices;
    ALTER TABLE devices_v2 RENAME TO devices;`,
  },
  {
    // Issue 13: where a device is (a person's label) and what its driver learned of it (relay
    // count, metering), as JSON its driver's schema validates at every load.
    capability: 'devices',
    version: 3,
    name: 'device room and driver config',
    up: `ALTER TABLE devices ADD COLUMN room TEXT;
    ALTER TABLE devices ADD COLUMN driver_config TEXT NOT NULL DEFAULT '{}';`,
  },
];
