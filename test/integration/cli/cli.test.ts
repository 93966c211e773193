import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEntry } from '../../helpers/processes.js';
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
    assert.match(added.stdout, /publishes: +tele\/plug1\/# stat\/plug1\/#\n {2}subscribes: +cmnd\/plug1\/#/);
    assert.equal(
      (await hub(['device', 'list'], env)).stdout,
      '1\tKitchen plug\ttasmota\tdev-tasmota-plug1\n',
    );
    const bad = await hub(['device', 'add', 'x', '--kind', 'zigbee', '--topic', 'a'], env);
    assert.equal(bad.stderr.trim(), 'hub: kind must be one of hub, emonhub, tasmota, shelly');
    assert.equal((await hub(['device', 'delete', '1'], env)).code, 0);
    assert.equal((await hub(['device', 'list'], env)).stdout, '');
  });
});
