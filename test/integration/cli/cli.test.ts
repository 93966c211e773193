import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHubWithAdmin } from '../../helpers/hub.js';
import { holdLockAsHubd } from '../../helpers/hubd-lock.js';
import { closed, connectError, mqttClient } from '../../helpers/mqtt.js';
import { runEntry } from '../../helpers/processes.js';
import { encodeMeta, encodeValues } from '../../../src/timeseries/phpfina-format.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const hub = (args: string[], env: Record<string, string>, stdin = '') =>
  runEntry('src/cli/main.ts', args, env, stdin);

describe('the hub command', () => {
  it('adds, lists, re-passwords and deletes users', async () => {
    const env = { HUB_DATA_DIR: makeTempDir(teardown) };
    const added = await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
    assert.equal(added.code, 0, added.stderr);
    assert.equal(added.stdout.trim(), 'added admin "ann"');
    assert.equal(
      (await hub(['user', 'add', 'vic'], env, 'vic-password\n')).stdout.trim(),
      'added viewer "vic"',
    );
    assert.equal((await hub(['user', 'list'], env)).stdout, 'ann\tadmin\nvic\tviewer\n');
    const dup = await hub(['user', 'add', 'ann', '--admin'], env, 'whatever-pw\n');
    assert.equal(dup.code, 1);
    assert.equal(dup.stderr.trim(), 'hub: user "ann" already exists');
    assert.equal(
      (await hub(['user', 'passwd', 'vic'], env, 'short\n')).stderr.trim(),
      'hub: password must be 8 to 256 characters',
    );
    assert.equal((await hub(['user', 'passwd', 'vic'], env, 'vic-new-password\n')).code, 0);
    assert.equal(
      (await hub(['user', 'delete', 'ann'], env)).stderr.trim(),
      'hub: the last administrator cannot be deleted',
    );
    assert.equal((await hub(['user', 'delete', 'vic'], env)).code, 0);
    assert.equal((await hub(['user', 'list'], env)).stdout, 'ann\tadmin\n');
  });

  it('checks the config and names what is wrong', async () => {
    const dataDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: dataDir };
    assert.equal((await hub(['config', 'check'], env)).code, 0);
    writeFileSync(join(dataDir, 'hub.json'), JSON.stringify({ timezone: 'Nowhere/Town' }));
    const bad = await hub(['config', 'check'], env);
    assert.equal(bad.code, 1);
    assert.ok(
      bad.stderr.includes(
        `field "timezone": expected an IANA timezone name such as "Europe/London", found "Nowhere/Town"`,
      ),
      bad.stderr,
    );
  });

  it('explains its usage on an unknown command', async () => {
    const res = await hub(['frobnicate'], { HUB_DATA_DIR: makeTempDir(teardown) });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^hub: unknown command "frobnicate"\n\nUsage: hub <command>/);
  });

  it('reports when no hubd is running', async () => {
    const res = await hub(['status', '--url', 'http://127.0.0.1:1'], { HUB_DATA_DIR: makeTempDir(teardown) });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^hub: no hubd answers at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('hub device', () => {
  it('adds a device with a one-time secret, lists and deletes it', async () => {
    const env = { HUB_DATA_DIR: makeTempDir(teardown) };
    const added = await hub(['device', 'add', 'Kitchen plug', '--kind', 'tasmota', '--topic', 'plug1'], env);
    assert.equal(added.code, 0, added.stderr);
    assert.match(
      added.stdout,
      /^added device 1 "Kitchen plug"\n {2}MQTT username: dev-tasmota-plug1\n {2}MQTT password: [A-Za-z0-9_-]{32} {3}\(shown once/,
    );
    assert.match(
      added.stdout,
      /publishes: +tele\/plug1\/# stat\/plug1\/# cmnd\/plug1\/POWER\n {2}subscribes: +cmnd\/plug1\/#\n {2}reads: +cmnd\/tasmotas\/#\n/,
    );
    assert.equal(
      (await hub(['device', 'list'], env)).stdout,
      '1\tKitchen plug\ttasmota\tdev-tasmota-plug1\n',
    );
    const bad = await hub(['device', 'add', 'x', '--kind', 'zigbee', '--topic', 'a'], env);
    assert.equal(
      bad.stderr.trim(),
      'hub: kind must be one of hub, emonhub, tasmota, shelly, emonesp, openevse, gateway',
    );
    const reserved = await hub(['device', 'add', 'x', '--kind', 'shelly', '--topic', 'cmnd'], env);
    assert.equal(reserved.code, 1);
    assert.equal(reserved.stderr.trim(), 'hub: the topic name "cmnd" is reserved (Tasmota commands)');
    assert.equal((await hub(['device', 'delete', '1'], env)).code, 0);
    assert.equal((await hub(['device', 'list'], env)).stdout, '');
    const again = await hub(['device', 'add', 'Again', '--kind', 'tasmota', '--topic', 'plug1'], env);
    assert.match(again.stdout, /^added device 2 "Again"/, 'a deleted id is never given again');
  });

  it("deletes through a running hubd, which ends the device's live MQTT session", async () => {
    const { hub: running, admin } = await startHubWithAdmin(teardown);
    await holdLockAsHubd(teardown, running.dataDir);
    const env = { HUB_DATA_DIR: running.dataDir };
    const added = await hub(['device', 'add', 'Plug', '--kind', 'tasmota', '--topic', 'plug7'], env);
    assert.equal(added.code, 0, added.stderr);
    const secret = /MQTT password: (\S+)/.exec(added.stdout)![1]!;
    const listed = (await admin.request('GET', '/api/v1/devices')).body as { id: number; name: string }[];
    const id = listed.find((d) => d.name === 'Plug')!.id;
    const url = `mqtt://127.0.0.1:${running.mqttPort}`;
    const plug = await mqttClient(teardown, url, { username: 'dev-tasmota-plug7', password: secret });
    const deleted = await hub(['device', 'delete', String(id)], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), `deleted device ${id} (its live MQTT session has ended)`);
    assert.equal(await closed(plug), true, 'the live session ended');
    assert.equal(
      await connectError(url, { username: 'dev-tasmota-plug7', password: secret }),
      'Connection refused: Bad username or password',
    );
    const missing = await hub(['device', 'delete', String(id)], env);
    assert.equal(missing.stderr.trim(), `hub: device ${id} does not exist`);
  });
});

describe('hub: files and status', () => {
  it('creates hub.db, imported feeds and everything else private (600/700) before hubd ever ran', async () => {
    const dataDir = join(makeTempDir(teardown), 'data');
    const emoncms = makeTempDir(teardown);
    writeFileSync(join(emoncms, '1.meta'), encodeMeta({ intervalS: 10, startTimeS: 1_700_000_000 }));
    writeFileSync(join(emoncms, '1.dat'), encodeValues([1, 2, 3]));
    const env = { HUB_DATA_DIR: dataDir };
    const before = process.umask(0o022); // a usual login shell's umask, inherited by the command
    try {
      const added = await hub(['user', 'add', 'ann', '--admin'], env, 'ann-password\n');
      assert.equal(added.code, 0, added.stderr);
      const imported = await hub(['feeds', 'import-emoncms', emoncms], env);
      assert.equal(imported.code, 0, imported.stderr);
    } finally {
      process.umask(before);
    }
    const names = ['.', ...readdirSync(dataDir, { recursive: true, encoding: 'utf8' })];
    const modes = names.map((name) => `${name} ${(statSync(join(dataDir, name)).mode & 0o777).toString(8)}`);
    assert.ok(modes.includes('hub.db 600') && modes.includes('feeds/1.dat 600'), modes.join(', '));
    assert.deepEqual(
      modes.filter((m) => !/ (600|700)$/.test(m)),
      [],
    );
  });

  it("shows each component's details given an API key (--apikey or HUB_API_KEY), states only without one", async () => {
    const { hub: running, admin } = await startHubWithAdmin(teardown);
    const { readApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { readApiKey: string };
    const env = { HUB_DATA_DIR: running.dataDir };
    const port = new URL(running.baseUrl).port;
    const url = ['status', '--url', running.baseUrl];

    const withKey = await hub([...url, '--apikey', readApiKey], env);
    assert.equal(withKey.code, 0, withKey.stderr);
    assert.match(withKey.stdout, /^hubd at http:\/\/127\.0\.0\.1:\d+: ready\n/);
    assert.match(withKey.stdout, new RegExp(`\\n {2}http +ready +.*port=${port}`));

    const fromEnv = await hub(url, { ...env, HUB_API_KEY: readApiKey });
    assert.match(fromEnv.stdout, new RegExp(`port=${port}`), 'HUB_API_KEY works the same');

    const anonymous = await hub(url, env);
    assert.match(anonymous.stdout, /\n {2}http +ready\n/);
    assert.equal(anonymous.stdout.includes('='), false, 'no details without a key');

    const wrong = await hub([...url, '--apikey', '0'.repeat(32)], env);
    assert.equal(wrong.code, 1);
    assert.equal(wrong.stderr.trim(), `hub: hubd at ${running.baseUrl} does not know that API key`);
  });
});
