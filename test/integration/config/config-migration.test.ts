import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigMigration } from '../../../src/config/config-migrations.js';
import { ConfigError, loadConfig, saveTimeZone } from '../../../src/config/config-file.fs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();

// As a later hub would ship it: version 2 renamed mqtt.anonymous.
const TO_V2: ConfigMigration[] = [
  {
    from: 1,
    name: 'mqtt.anonymous is now mqtt.allowAnonymousLoopback',
    up: ({ mqtt, ...rest }) => {
      const { anonymous, ...others } = (mqtt ?? {}) as Record<string, unknown>;
      return { ...rest, mqtt: { ...others, allowAnonymousLoopback: anonymous } };
    },
  },
];
const V1_TEXT =
  '{ "version": 1, "mqtt": { "anonymous": true, "port": 1884 }, "timezone": "Europe/London" }\n';

function oldFile(text = V1_TEXT): { dataDir: string; file: string } {
  const dataDir = makeTempDir(teardown);
  const file = join(dataDir, 'hub.json');
  writeFileSync(file, text, { mode: 0o600 });
  return { dataDir, file };
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('hub.json written by an older hub', () => {
  it('is brought up to date at start: rewritten, with the old file kept beside it', () => {
    const { dataDir, file } = oldFile();
    const loaded = loadConfig({ HUB_DATA_DIR: dataDir }, { migrations: TO_V2 });
    assert.equal(loaded.config.mqtt.allowAnonymousLoopback, true);
    assert.equal(loaded.config.mqtt.port, 1884);
    assert.deepEqual(loaded.migrated, {
      fromVersion: 1,
      toVersion: 2,
      steps: ['1 → 2: mqtt.anonymous is now mqtt.allowAnonymousLoopback'],
      backupFile: `${file}.v1.bak`,
    });
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      version: 2,
      mqtt: { port: 1884, allowAnonymousLoopback: true },
      timezone: 'Europe/London',
    });
    assert.equal(readFileSync(`${file}.v1.bak`, 'utf8'), V1_TEXT, 'the backup is the file byte for byte');
    assert.equal(modeOf(file), 0o600);
    assert.equal(modeOf(`${file}.v1.bak`), 0o600);
    assert.equal(existsSync(`${file}.tmp`), false);

    const again = loadConfig({ HUB_DATA_DIR: dataDir }, { migrations: TO_V2 });
    assert.equal(again.migrated, undefined, 'a second start has nothing to do');
    assert.deepEqual(again.config, loaded.config);
  });

  it('is migrated in memory only by a read-only load (hub config check)', () => {
    const { dataDir, file } = oldFile();
    const loaded = loadConfig({ HUB_DATA_DIR: dataDir }, { readOnly: true, migrations: TO_V2 });
    assert.equal(loaded.config.mqtt.allowAnonymousLoopback, true);
    assert.equal(loaded.migrated?.backupFile, undefined);
    assert.equal(readFileSync(file, 'utf8'), V1_TEXT);
    assert.equal(existsSync(`${file}.v1.bak`), false);
  });

  it('is left alone when the migrated settings are not valid, and the error says it was migrated', () => {
    const text = '{ "version": 1, "mqtt": { "anonymous": "yes" } }';
    const { dataDir, file } = oldFile(text);
    assert.throws(
      () => loadConfig({ HUB_DATA_DIR: dataDir }, { migrations: TO_V2 }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, [
          `${file} (migrated from version 1): field "mqtt.allowAnonymousLoopback": expected true or false, found "yes"`,
        ]);
        return true;
      },
    );
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(existsSync(`${file}.v1.bak`), false);
  });
});

describe('hub.json written by a newer hub', () => {
  it('stops hubd with a message that says so, and is not touched', () => {
    const text = '{ "version": 3, "somethingNew": true }';
    const { dataDir, file } = oldFile(text);
    assert.throws(
      () => loadConfig({ HUB_DATA_DIR: dataDir }, { migrations: TO_V2 }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(
          err.problems[0]!,
          /field "version": this hub reads config versions up to 2, found 3; the file was written by a newer hub/,
        );
        return true;
      },
    );
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('is refused by the timezone setting too, rather than overwritten', () => {
    const text = '{ "version": 99 }';
    const { file } = oldFile(text);
    assert.throws(() => saveTimeZone(file, 'Europe/Paris'), /written by a newer hub/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });
});

describe('saving the timezone', () => {
  it('writes it, keeps the other settings and says a restart is needed', () => {
    const { dataDir, file } = oldFile('{ "version": 1, "http": { "port": 8081 } }');
    assert.deepEqual(saveTimeZone(file, 'Europe/Paris'), { restartRequired: true });
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      version: 1,
      http: { port: 8081 },
      timezone: 'Europe/Paris',
    });
    assert.equal(loadConfig({ HUB_DATA_DIR: dataDir }).config.timezone, 'Europe/Paris');
  });
});
