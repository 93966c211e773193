import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  CONFIG_VERSION,
  configVersionOf,
  migrateConfig,
  type ConfigMigration,
} from '../../../src/config/config-migrations.js';
import { configSchema, needsRestart } from '../../../src/config/schema.js';
import { restartNeededIn, settingEffects } from '../../../src/config/setting-effects.js';

const FILE = '/data/hub.json';

// A chain as a later hub might have: v1 → v2 renames a field, v2 → v3 moves one into a section.
const CHAIN: ConfigMigration[] = [
  {
    from: 1,
    name: 'mqtt.anonymous is now mqtt.allowAnonymousLoopback',
    up: ({ mqtt, ...rest }) => {
      const { anonymous, ...others } = (mqtt ?? {}) as Record<string, unknown>;
      return {
        ...rest,
        mqtt: anonymous === undefined ? others : { ...others, allowAnonymousLoopback: anonymous },
      };
    },
  },
  {
    from: 2,
    name: 'logLevel moves into log.level',
    up: ({ logLevel, ...rest }) => (logLevel === undefined ? rest : { ...rest, log: { level: logLevel } }),
  },
];

describe('hub.json migrations', () => {
  it('runs each step from the file version to the current one, in order, on a copy', () => {
    const raw = { version: 1, mqtt: { anonymous: true, port: 1884 }, logLevel: 'debug' };
    const before = structuredClone(raw);
    const result = migrateConfig(raw, FILE, CHAIN);
    assert.deepEqual(result, {
      ok: true,
      raw: { version: 3, mqtt: { port: 1884, allowAnonymousLoopback: true }, log: { level: 'debug' } },
      fromVersion: 1,
      toVersion: 3,
      applied: [
        '1 → 2: mqtt.anonymous is now mqtt.allowAnonymousLoopback',
        '2 → 3: logLevel moves into log.level',
      ],
    });
    assert.deepEqual(raw, before, 'the parsed file itself is left alone');
  });

  it('starts from the file version: a version 2 file runs only the second step', () => {
    const result = migrateConfig({ version: 2, mqtt: { anonymous: 'kept' }, logLevel: 'warn' }, FILE, CHAIN);
    assert.ok(result.ok);
    assert.deepEqual(result.raw, { version: 3, mqtt: { anonymous: 'kept' }, log: { level: 'warn' } });
    assert.deepEqual(result.applied, ['2 → 3: logLevel moves into log.level']);
  });

  it('reads a file without a version as version 1', () => {
    const result = migrateConfig({ logLevel: 'error' }, FILE, CHAIN);
    assert.ok(result.ok);
    assert.equal(result.fromVersion, 1);
    assert.deepEqual(result.raw, { version: 3, mqtt: {}, log: { level: 'error' } });
  });

  it('leaves a current file as it is, with no step applied', () => {
    const raw = { version: 3, http: { port: 80 } };
    assert.deepEqual(migrateConfig(raw, FILE, CHAIN), {
      ok: true,
      raw,
      fromVersion: 3,
      toVersion: 3,
      applied: [],
    });
  });

  it('refuses a file written by a newer hub, saying so', () => {
    assert.deepEqual(migrateConfig({ version: 4 }, FILE, CHAIN), {
      ok: false,
      problem:
        `${FILE}: field "version": this hub reads config versions up to 3, found 4; the file was written ` +
        'by a newer hub (install that version again, or restore the backup it left beside the file)',
    });
  });

  it('refuses a version that is not a whole number from 1', () => {
    for (const version of [0, 1.5, '2', null])
      assert.deepEqual(migrateConfig({ version }, FILE, CHAIN), {
        ok: false,
        problem: `${FILE}: field "version": expected a config version from 1 to 3, found ${JSON.stringify(version)}`,
      });
  });

  it('refuses a chain with a gap, naming the step', () => {
    assert.throws(
      () => configVersionOf([CHAIN[0]!, { ...CHAIN[1]!, from: 3 }]),
      /migration 2 \("logLevel moves into log.level"\) starts from version 3/,
    );
  });

  it("this hub's version is the one its schema writes", () => {
    assert.equal(configSchema.parse({}).version, CONFIG_VERSION);
    assert.ok(migrateConfig({ version: CONFIG_VERSION + 1 }, FILE).ok === false);
  });
});

describe('settings that need a restart', () => {
  it('says the timezone and the ports are read at start', () => {
    assert.equal(needsRestart(['timezone']), true);
    assert.equal(needsRestart(['mqtt', 'port']), true);
    assert.equal(needsRestart(['mqtt', 'tls', 'certFile']), true);
  });

  it('refuses a path hub.json does not have', () => {
    assert.throws(() => needsRestart(['colour']), /hub.json has no setting "colour"/);
    assert.throws(() => needsRestart(['timezone', 'name']), /no setting "timezone.name"/);
  });

  it('follows the marks on the schema: a live section passes it to its fields, a field may override', () => {
    const schema = z.strictObject({
      port: z.number().default(1),
      log: z
        .strictObject({
          level: z.string().default('info'),
          file: z.string().default('x').register(settingEffects, { appliesLive: false }),
        })
        .prefault({})
        .register(settingEffects, { appliesLive: true }),
      retries: z.number().default(3).register(settingEffects, { appliesLive: true }),
    });
    assert.equal(restartNeededIn(schema, ['port']), true);
    assert.equal(restartNeededIn(schema, ['log', 'level']), false);
    assert.equal(restartNeededIn(schema, ['log', 'file']), true);
    assert.equal(restartNeededIn(schema, ['retries']), false);
  });
});
