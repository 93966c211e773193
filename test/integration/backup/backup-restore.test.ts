import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, startTestHub, type TestHub } from '../../helpers/hub.js';
import { holdLockAsHubd } from '../../helpers/hubd-lock.js';
import { connectError } from '../../helpers/mqtt.js';
import { runEntry } from '../../helpers/processes.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// `hub backup` / `hub restore` and the app's download (docs/backup.md): a hub with users, feeds,
// inputs, a device and a schedule, backed up while readings arrive, restored onto a fresh data
// dir and started there; a damaged backup is refused and changes nothing.
const teardown = useTeardown();
const hubCli = (args: string[], dataDir: string) =>
  runEntry('src/cli/main.ts', args, { HUB_DATA_DIR: dataDir });
const NOW_S = Math.floor(Date.now() / 1000);
const T0 = NOW_S - (NOW_S % 10) - 86_400;
const SCHEDULE = {
  mode: 'smart',
  smart: {
    readyBy: '08:00',
    runMinutes: 120,
    interruptible: true,
    minOnMinutes: 30,
    minGapMinutes: 15,
    repeat: [1, 3],
  },
};

let source: TestHub;
let admin: HttpClient;
let backupFile: string;
let acceptedBefore: [number, number][] = [];
let device: { device: { id: number }; mqttUsername: string; secret: string };
const feedIds: Record<string, number> = {};

async function created(res: { status: number; text: string; body: unknown }): Promise<{ id: number }> {
  assert.equal(res.status, 201, res.text);
  return res.body as { id: number };
}

/** Every file under `dir` with a hash of its bytes: what "nothing changed" compares. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = entry.isFile()
      ? createHash('sha256').update(readFileSync(path)).digest('hex')
      : 'dir';
  }
  return out;
}

/** The source hub's feeds (ours and those the hub makes itself): each one's files are backed up. */
async function feedCount(): Promise<number> {
  return ((await admin.request('GET', '/api/v1/feeds')).body as unknown[]).length;
}

async function download(hub: TestHub, client: HttpClient) {
  const res = await fetch(`${hub.baseUrl}/api/v1/backup`, { headers: { cookie: client.cookie ?? '' } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('backup and restore', () => {
  before(async () => {
    // Flushes only at start, stop and a backup: points stay buffered unless the backup writes them.
    ({ hub: source, admin } = await startHubWithAdmin(teardown, {
      config: { timeseries: { flushIntervalS: 3600 } },
    }));
    await holdLockAsHubd(teardown, source.dataDir);
    const bob = await admin.request('POST', '/api/v1/users', {
      json: { username: 'bob', password: 'bob-password', role: 'viewer' },
    });
    assert.equal(bob.status, 201, bob.text);
    feedIds.house = (
      await created(await admin.request('POST', '/api/v1/feeds', { json: { name: 'house', intervalS: 10 } }))
    ).id;
    feedIds.live = (
      await created(await admin.request('POST', '/api/v1/feeds', { json: { name: 'live', intervalS: 10 } }))
    ).id;
    const history = Array.from({ length: 360 }, (_, i) => [T0 + i * 10, i * 2.5]);
    const posted = await admin.request('POST', `/api/v1/feeds/${feedIds.house}/points`, {
      json: { points: history },
    });
    assert.equal(posted.status, 200, posted.text);
    const input = await admin.request('POST', '/api/v1/inputs', {
      json: { node: 'emontx', values: { power: 321 } },
    });
    assert.equal(input.status, 200, input.text);
    const dev = await admin.request('POST', '/api/v1/devices', {
      json: { name: 'washer', kind: 'tasmota', topicName: 'washer' },
    });
    assert.equal(dev.status, 201, dev.text);
    device = dev.body as typeof device;
    const schedule = await admin.request('PUT', `/api/v1/devices/${device.device.id}/schedule`, {
      json: SCHEDULE,
    });
    assert.equal(schedule.status, 200, schedule.text);
  });

  it('downloads a backup taken while readings are posted, holding every reading accepted before it began', async () => {
    const accepted: [number, number][] = [];
    let posting = true;
    const poster = (async () => {
      for (let i = 0; posting; i++) {
        const point: [number, number] = [T0 + 4000 + i * 10, i * 1.5];
        const res = await admin.request('POST', `/api/v1/feeds/${feedIds.live}/points`, {
          json: { points: [point] },
        });
        if (res.status === 200) accepted.push(point);
      }
    })();
    while (accepted.length < 30) await new Promise((resolve) => setImmediate(resolve));
    acceptedBefore = [...accepted];
    const datBytes = statSync(join(source.dataDir, 'feeds', `${feedIds.live}.dat`)).size;
    assert.ok(datBytes / 4 < acceptedBefore.length, 'the readings are still buffered, not yet in the file');
    const { res, bytes } = await download(source, admin);
    posting = false;
    await poster;
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="hub-backup-[\w-]+-\d{8}-\d{6}\.tar\.gz"$/,
    );
    assert.ok(accepted.length > acceptedBefore.length, 'readings kept arriving during the backup');
    backupFile = join(makeTempDir(teardown), 'hub.tar.gz');
    writeFileSync(backupFile, bytes);
    assert.deepEqual(
      readdirSync(join(source.dataDir, 'backups')),
      [],
      'the made file does not stay on the hub',
    );
  });

  it('is not downloaded by a viewer', async () => {
    const bob = source.client();
    await bob.request('POST', '/api/v1/session', { json: { username: 'bob', password: 'bob-password' } });
    assert.equal((await download(source, bob)).res.status, 403);
  });

  it('is not downloaded with an admin’s read API key (it sits in dashboard URLs), only a write key', async () => {
    const keys = (await admin.request('GET', '/api/v1/me/apikeys')).body as {
      readApiKey: string;
      writeApiKey: string;
    };
    const withKey = (key: string) => fetch(`${source.baseUrl}/api/v1/backup?apikey=${key}`);
    const refused = await withKey(keys.readApiKey);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { code: string }).code, 'read_only_key');
    const byRead = await fetch(`${source.baseUrl}/api/v1/me/apikeys?apikey=${keys.readApiKey}`);
    assert.equal(byRead.status, 403, 'nor the write key to a read key');
    const allowed = await withKey(keys.writeApiKey);
    assert.equal(allowed.status, 200);
    await allowed.arrayBuffer();
  });

  it('restores onto a fresh data dir, where a started hub has the users, feeds, inputs, device and schedule', async () => {
    const dataDir = makeTempDir(teardown);
    const restored = await hubCli(['restore', backupFile], dataDir);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /restored the backup of .+ by hub [\d.]+: \d+ files, each sha256 checked/);
    assert.equal(statSync(join(dataDir, 'hub.db')).mode & 0o777, 0o600);
    // With no hubd, `hub backup` makes the file itself; the feed files come back byte for byte.
    const again = join(makeTempDir(teardown), 'again.tar.gz');
    const offline = await hubCli(['backup', '--out', again], dataDir);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(
      offline.stdout,
      new RegExp(`wrote .*again\\.tar\\.gz: \\d+ files \\(hub\\.db, ${await feedCount()} feeds\\)`),
    );
    assert.equal(statSync(again).mode & 0o777, 0o600);
    const feedFiles = (file: string) =>
      manifestOf(file).files.filter((f) => f.path.startsWith('feeds/') || f.path.startsWith('tls/'));
    assert.deepEqual(feedFiles(again), feedFiles(backupFile));

    // What a crash in the middle of a backup left is cleared when hubd starts.
    mkdirSync(join(dataDir, 'backups'));
    writeFileSync(join(dataDir, 'backups', 'hub-backup-x.tar.gz.partial'), 'cut short');
    mkdirSync(join(dataDir, '.backup-x1'));
    const redis = await startRedis();
    teardown.add(() => redis.stop());
    const hub = await startTestHub(teardown, { redisUrl: redis.url, dataDir });
    assert.deepEqual(readdirSync(join(dataDir, 'backups')), []);
    assert.ok(!readdirSync(dataDir).some((name) => name.startsWith('.backup-')));
    const ann = hub.client();
    assert.equal(
      (await ann.request('POST', '/api/v1/session', { json: { username: 'ann', password: 'ann-password' } }))
        .status,
      200,
    );
    const bob = hub.client();
    assert.equal(
      (await bob.request('POST', '/api/v1/session', { json: { username: 'bob', password: 'bob-password' } }))
        .status,
      200,
    );
    const data = async (client: HttpClient, id: number, startS: number, endS: number) =>
      (await client.request('GET', `/api/v1/feeds/${id}/data?start=${startS}&end=${endS}&interval=10`)).body;
    assert.deepEqual(
      await data(ann, feedIds.house!, T0, T0 + 3600),
      await data(admin, feedIds.house!, T0, T0 + 3600),
      'the feed reads the same values',
    );
    const live = (await data(ann, feedIds.live!, T0 + 4000, T0 + 4000 + 10 * acceptedBefore.length)) as [
      number,
      number | null,
    ][];
    const values = new Map(live);
    for (const [tS, value] of acceptedBefore) assert.equal(values.get(tS), value, `reading at ${tS}`);
    const inputNames = async (client: HttpClient) =>
      ((await client.request('GET', '/api/v1/inputs')).body as { node: string; name: string }[]).map(
        (i) => `${i.node}/${i.name}`,
      );
    assert.ok((await inputNames(ann)).includes('emontx/power'));
    assert.deepEqual(await inputNames(ann), await inputNames(admin));
    const devices = (await ann.request('GET', '/api/v1/devices')).body as { id: number; name: string }[];
    assert.deepEqual(
      devices.map((d) => d.name),
      ['washer'],
    );
    const schedule = (await ann.request('GET', `/api/v1/devices/${device.device.id}/schedule`)).body as {
      schedule: { mode: string };
    };
    assert.equal(schedule.schedule.mode, 'smart');
    // The device's MQTT login and the broker's CA came along: a paired device needs no new setup.
    assert.equal(
      await connectError(`mqtt://127.0.0.1:${hub.mqttPort}`, {
        username: device.mqttUsername,
        password: device.secret,
      }),
      undefined,
    );
    assert.equal(
      (await ann.request('GET', '/api/v1/mqtt/ca.crt')).text,
      (await admin.request('GET', '/api/v1/mqtt/ca.crt')).text,
    );
  });

  it('refuses a backup with one byte changed, and changes nothing', async () => {
    const dataDir = makeTempDir(teardown);
    mkdirSync(join(dataDir, 'feeds'));
    writeFileSync(join(dataDir, 'hub.json'), '{"version": 1}\n');
    writeFileSync(join(dataDir, 'feeds', '1.meta'), 'old');
    const before = tree(dataDir);
    const tar = gunzipSync(readFileSync(backupFile));
    const dbData = offsetOfEntry(tar, 'hub.db') + 512;
    tar[dbData + 100]! ^= 0x01;
    const tampered = join(makeTempDir(teardown), 'tampered.tar.gz');
    writeFileSync(tampered, gzipSync(tar));
    const refused = await hubCli(['restore', tampered], dataDir);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /was not restored: hub\.db fails its sha256 \(changed or damaged\); nothing was changed/,
    );
    assert.deepEqual(tree(dataDir), before);

    const damaged = readFileSync(backupFile);
    damaged[Math.floor(damaged.length / 2)]! ^= 0x01;
    writeFileSync(tampered, damaged);
    const refusedToo = await hubCli(['restore', tampered], dataDir);
    assert.equal(refusedToo.code, 1);
    assert.match(refusedToo.stderr, /was not restored: .+; nothing was changed/);
    assert.deepEqual(tree(dataDir), before);

    writeFileSync(tampered, gzipSync(Buffer.from('not a backup')));
    const foreign = await hubCli(['restore', tampered], dataDir);
    assert.match(
      foreign.stderr,
      /was not restored: it does not begin with energy-hub-backup\.json: not an Energy Hub backup; nothing was changed/,
    );
    assert.deepEqual(tree(dataDir), before);

    // The whole backup restores over this data dir, whose files are kept aside, not deleted.
    const good = await hubCli(['restore', backupFile], dataDir);
    assert.equal(good.code, 0, good.stderr);
    const aside = /is in (\S+); delete it once the restored hub works/.exec(good.stdout)?.[1] ?? '';
    assert.deepEqual(tree(aside), before);
    assert.equal(readFileSync(join(aside, 'hub.json'), 'utf8'), '{"version": 1}\n');
    assert.ok(statSync(join(dataDir, 'hub.db')).isFile());
  });

  it('refuses to restore while hubd runs on the data dir', async () => {
    const refused = await hubCli(['restore', backupFile], source.dataDir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /hubd \(pid \d+\) is running on .+: stop it first .*nothing was changed/);
  });

  it('backs up through the running hubd with `hub backup --out`, the file readable only by its owner', async () => {
    const out = join(makeTempDir(teardown), 'via-hubd.tar.gz');
    const made = await hubCli(['backup', '--out', out], source.dataDir);
    assert.equal(made.code, 0, made.stderr);
    assert.match(
      made.stdout,
      new RegExp(`wrote .*via-hubd\\.tar\\.gz: \\d+ files \\(hub\\.db, ${await feedCount()} feeds\\)`),
    );
    assert.match(made.stdout, /readable only by you \(mode 600\)/);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(source.dataDir, 'backups')), []);
    const paths = manifestOf(out).files.map((f) => f.path);
    for (const path of ['hub.db', 'hub.json', 'tls/ca.key', 'tls/server.key', `feeds/${feedIds.live}.dat`])
      assert.ok(paths.includes(path), `${path} is in the backup`);
  });
});

/** Where the header block of `path` starts in an uncompressed tar. */
function offsetOfEntry(tar: Buffer, path: string): number {
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = tar.toString('utf8', offset, offset + 100).replace(/\0.*$/s, '');
    const size = parseInt(tar.toString('ascii', offset + 124, offset + 136).replace(/\0.*$/s, ''), 8);
    if (name === path) return offset;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${path} is not in the archive`);
}

function manifestOf(file: string): { files: { path: string; sha256: string; bytes: number }[] } {
  const tar = gunzipSync(readFileSync(file));
  const at = offsetOfEntry(tar, 'manifest.json');
  const size = parseInt(tar.toString('ascii', at + 124, at + 136).replace(/\0.*$/s, ''), 8);
  return JSON.parse(tar.toString('utf8', at + 512, at + 512 + size)) as {
    files: { path: string; sha256: string; bytes: number }[];
  };
}
