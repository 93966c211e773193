import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { currentVersions, migrate, openDatabase, type Db } from '../../../src/db/database.sqlite.js';
import { SqliteDeviceRepo } from '../../../src/devices/device-repo.sqlite.js';
import { DeviceService } from '../../../src/devices/device-service.js';
import { deviceMigrations } from '../../../src/devices/migrations.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { Logger } from '../../../src/shared/logger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

function open(name: string): Db {
  const db = openDatabase(join(makeTempDir(teardown), name));
  teardown.add(() => db.open && db.close());
  return db;
}

// Rows as version 1 stored them: grants were JSON, the topic name was not kept.
const V1_ROWS: [number, string, string, string, string[], string[]][] = [
  [1, 'hub', 'dev-hub-box1', 'Box', ['hub/dev/box1/#'], ['hub/dev/box1/+/set', 'hub/dev/box1/cmd/#']],
  [2, 'emonhub', 'dev-emonhub-emontx4', 'emonTx', ['emon/emontx4', 'emon/emontx4/#'], []],
  [3, 'tasmota', 'dev-tasmota-plug1', 'Plug', ['tele/Plug1/#', 'stat/Plug1/#'], ['cmnd/Plug1/#']],
  [4, 'shelly', 'dev-shelly-hub', 'Bad shelly', ['hub/#', 'shellies/hub/#'], ['hub/rpc']],
  [5, 'shelly', 'dev-shelly-sh1', 'Gone', ['sh1/#', 'shellies/sh1/#'], ['sh1/rpc']],
];

describe('device migrations', () => {
  const v1 = () => {
    const db = open('devices.db');
    migrate(db, deviceMigrations, new Map([['devices', 1]]));
    const insert = db.prepare(
      `INSERT INTO devices (id, name, kind, mqtt_username, secret_sha256, publish_filters, subscribe_filters, created_at_ms)
       VALUES (?, ?, ?, ?, 'ab', ?, ?, 7)`,
    );
    for (const [id, kind, username, name, pub, sub] of V1_ROWS) {
      insert.run(id, name, kind, username, JSON.stringify(pub), JSON.stringify(sub));
    }
    db.prepare('DELETE FROM devices WHERE id = 5').run(); // deleted before the upgrade
    return db;
  };

  it('keeps every row, recovers each topic name and recomputes grants from kind and name', () => {
    const db = v1();
    migrate(db, deviceMigrations);
    assert.equal(currentVersions(db).get('devices'), 3);
    const devices = new DeviceService(new SqliteDeviceRepo(db), new ManualClock(0)).list();
    assert.deepEqual(
      devices.map((d) => [d.id, d.name, d.kind, d.topicName, d.mqttUsername, d.createdAtMs]),
      [
        [1, 'Box', 'hub', 'box1', 'dev-hub-box1', 7],
        [2, 'emonTx', 'emonhub', 'emontx4', 'dev-emonhub-emontx4', 7],
        [3, 'Plug', 'tasmota', 'Plug1', 'dev-tasmota-plug1', 7],
        [4, 'Bad shelly', 'shelly', 'hub', 'dev-shelly-hub', 7],
      ],
    );
    const byId = new Map(devices.map((d) => [d.id, d]));
    assert.deepEqual(byId.get(1)!.publish, ['hub/dev/box1/#']);
    // An emonhub login of version 1 could publish one node; as a gateway it now covers emon/#.
    assert.deepEqual(byId.get(2)!.publish, ['emon/#', 'emonhub/rx/#']);
    assert.deepEqual(byId.get(2)!.subscribe, ['emonhub/tx/#']);
    assert.deepEqual(byId.get(3)!.subscribe, ['cmnd/Plug1/#']);
    // A Shelly called "hub" owned hub/#; its name is reserved now, so it keeps no grants at all.
    assert.deepEqual([byId.get(4)!.publish, byId.get(4)!.subscribe], [[], []]);
  });

  it('gives gateway grants to the oldest of several migrated emonhub rows, version 1 node grants to the others, and logs them once', () => {
    const db = v1();
    db.prepare(
      `INSERT INTO devices (id, name, kind, mqtt_username, secret_sha256, publish_filters, subscribe_filters, created_at_ms)
       VALUES (6, 'emonPi', 'emonhub', 'dev-emonhub-emonpi', 'ab', '["emon/emonpi","emon/emonpi/#"]', '[]', 8)`,
    ).run();
    migrate(db, deviceMigrations);
    const warnings: string[] = [];
    const log: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (_fields, msg) => void warnings.push(msg),
      error: () => undefined,
      child: () => log,
    };
    const service = new DeviceService(new SqliteDeviceRepo(db), new ManualClock(0), undefined, log);
    const grants = (id: number) => {
      const d = service.list().find((x) => x.id === id)!;
      return [d.publish, d.subscribe, d.read];
    };
    assert.deepEqual(grants(2), [['emon/#', 'emonhub/rx/#'], ['emonhub/tx/#'], []]);
    // The newer row keeps what version 1 gave it, so an emonhub still using it is not dropped.
    assert.deepEqual(grants(6), [['emon/emonpi', 'emon/emonpi/#'], [], []]);
    // Both may write emon/emonpi, as in version 1: the gateway does not yield it.
    assert.deepEqual(service.login(2)!.publishExcept, []);
    assert.deepEqual(service.ownedNodeRoots(), []);
    assert.equal(warnings.filter((w) => w.includes('second gateway')).length, 1, 'logged once');
  });

  it('never reuses a device id, not even the highest after a delete', () => {
    const db = v1();
    migrate(db, deviceMigrations);
    const service = new DeviceService(new SqliteDeviceRepo(db), new ManualClock(0));
    const a = service.add('A', 'tasmota', 'plugA').device.id;
    assert.equal(a, 5, 'the next id after the highest row that existed at the upgrade');
    service.remove(a);
    const b = service.add('B', 'tasmota', 'plugB').device.id;
    assert.equal(b, 6);
  });

  it('gives every existing device no room and an empty driver config (version 3), which it can then keep', () => {
    const db = v1();
    migrate(db, deviceMigrations);
    const service = new DeviceService(new SqliteDeviceRepo(db), new ManualClock(0));
    assert.deepEqual(
      service.list().map((d) => [d.id, d.room, service.driverConfig(d.id)]),
      [
        [1, null, {}],
        [2, null, {}],
        [3, null, {}],
        [4, null, {}],
      ],
    );
    assert.equal(service.update(3, { name: ' Kettle ', room: 'Kitchen' }).room, 'Kitchen');
    assert.equal(service.setDriverConfig(3, { relayCount: 2, metering: true }), true);
    assert.deepEqual(
      [service.get(3)?.name, service.get(3)?.room, service.driverConfig(3)],
      ['Kettle', 'Kitchen', { relayCount: 2, metering: true }],
    );
    assert.equal(service.update(3, { room: '  ' }).room, null, 'a blank room clears it');
    assert.equal(service.driverConfig(99), undefined);
    assert.equal(service.setDriverConfig(99, {}), false);
    assert.throws(() => service.update(99, { name: 'x' }), /device 99 does not exist/);
    assert.throws(() => service.update(3, { name: '' }), /name must be 1 to 64 characters/);
    assert.throws(() => service.update(3, { room: 'x'.repeat(65) }), /room must be at most 64 characters/);
  });
});
