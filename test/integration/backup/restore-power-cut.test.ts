import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stageRestore } from '../../../src/backup/restore.fs.js';
import {
  readRestoreJournal,
  restorePendingReason,
  resumeRestore,
  runSwap,
  swapSteps,
  undoRestore,
} from '../../../src/backup/restore-journal.fs.js';
import { readVersion } from '../../../src/config/version.fs.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, startTestHub } from '../../helpers/hub.js';
import { runEntry } from '../../helpers/processes.js';
import { startRedis } from '../../helpers/redis-server.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { useTeardown } from '../../helpers/teardown.js';

// A power cut at any point of `hub restore`'s swap (docs/backup.md): the journal written before
// the first rename makes hubd refuse the data dir, and resuming or undoing gives a hub with all
// the backup's data or all the old data, never a mix.
const teardown = useTeardown();
const hubCli = (args: string[], dataDir: string) =>
  runEntry('src/cli/main.ts', args, { HUB_DATA_DIR: dataDir });
const NOW_S = Math.floor(Date.now() / 1000);
const T0 = NOW_S - (NOW_S % 10) - 86_400;

class PowerCut extends Error {}

/** What a hub built on either side has: its own user, feed values and broker CA. */
interface Side {
  user: string;
  values: [number, number][];
  caCrt: string;
}
let backupFile: string;
let oldDataDir: string;
const sides: Record<'old' | 'new', Side> = {
  old: { user: 'oldie', values: [], caCrt: '' },
  new: { user: 'newbie', values: [], caCrt: '' },
};

async function buildSide(side: Side, factor: number) {
  const { hub, admin } = await startHubWithAdmin(teardown);
  const user = await admin.request('POST', '/api/v1/users', {
    json: { username: side.user, password: `${side.user}-password`, role: 'viewer' },
  });
  assert.equal(user.status, 201, user.text);
  const feed = await admin.request('POST', '/api/v1/feeds', { json: { name: 'power', intervalS: 10 } });
  assert.equal(feed.status, 201, feed.text);
  side.values = Array.from({ length: 60 }, (_, i) => [T0 + i * 10, i * factor]);
  const posted = await admin.request('POST', `/api/v1/feeds/${(feed.body as { id: number }).id}/points`, {
    json: { points: side.values },
  });
  assert.equal(posted.status, 200, posted.text);
  side.caCrt = (await admin.request('GET', '/api/v1/mqtt/ca.crt')).text;
  return { hub, admin };
}

/** Starts a hub on `dataDir` and says which side's data it has, asserting it is all of one side. */
async function sideOf(dataDir: string): Promise<'old' | 'new'> {
  const redis = await startRedis();
  const hub = await startTestHub(teardown, { redisUrl: redis.url, dataDir });
  try {
    const signIn = async (username: string) => {
      const client = hub.client();
      const res = await client.request('POST', '/api/v1/session', {
        json: { username, password: `${username}-password` },
      });
      return { client, ok: res.status === 200 };
    };
    const [asOld, asNew] = [await signIn('oldie'), await signIn('newbie')];
    assert.notEqual(asOld.ok, asNew.ok, 'exactly one side’s users');
    const which = asOld.ok ? 'old' : 'new';
    const client: HttpClient = (asOld.ok ? asOld : asNew).client;
    const feeds = (await client.request('GET', '/api/v1/feeds')).body as { id: number; name: string }[];
    const power = feeds.find((f) => f.name === 'power');
    assert.ok(power, 'the feed is there');
    const data = await client.request(
      'GET',
      `/api/v1/feeds/${power.id}/data?start=${T0}&end=${T0 + 590}&interval=10`,
    );
    assert.deepEqual(data.body, sides[which].values, `the ${which} feed values`);
    assert.equal((await client.request('GET', '/api/v1/mqtt/ca.crt')).text, sides[which].caCrt);
    return which;
  } finally {
    await hub.hub.stop();
    await redis.stop();
  }
}

/** A copy of the old hub's stopped data dir, with a checked backup staged and the journal written. */
async function staged() {
  const dataDir = makeTempDir(teardown);
  cpSync(oldDataDir, dataDir, { recursive: true, filter: (src) => !/\/(run|hub\.lock)$/.test(src) });
  const { journal } = await stageRestore({
    file: backupFile,
    dataDir,
    hubVersion: readVersion().version,
    nowMs: Date.now(),
  });
  return { dataDir, journal };
}

describe('a power cut during hub restore', () => {
  before(async () => {
    const built = await buildSide(sides.new, 2.5);
    const res = await fetch(`${built.hub.baseUrl}/api/v1/backup`, {
      headers: { cookie: built.admin.cookie ?? '' },
    });
    assert.equal(res.status, 200);
    backupFile = join(makeTempDir(teardown), 'new.tar.gz');
    writeFileSync(backupFile, Buffer.from(await res.arrayBuffer()));
    await built.hub.hub.stop();
    const old = await buildSide(sides.old, 7);
    await old.hub.hub.stop(); // writes the buffered points to the feed files
    oldDataDir = old.hub.dataDir;
    assert.equal(await sideOf(oldDataDir), 'old');
  });

  it('before any step of the swap is finished (resume) or undone (abort) into a hub with one side’s data', async () => {
    const { dataDir, journal } = await staged();
    const steps = swapSteps(dataDir, journal).map((s) => s.name);
    assert.ok(steps.length >= 10, steps.join(', '));
    const journalGone = steps.indexOf('remove the journal') + 1;
    for (let cutAt = 0; cutAt < steps.length; cutAt++) {
      const at = cutAt === 0 ? { dataDir, journal } : await staged();
      assert.throws(
        () =>
          runSwap(at.dataDir, at.journal, (_step, index) => {
            if (index === cutAt) throw new PowerCut(steps[index]);
          }),
        PowerCut,
      );
      const how = cutAt % 2 === 0 ? 'resume' : 'abort';
      const context = `cut before "${steps[cutAt]}", then ${how}`;
      if (cutAt < journalGone) {
        assert.match(restorePendingReason(at.dataDir) ?? '', /was cut short .*--resume.*--abort/, context);
        if (how === 'resume') assert.equal(resumeRestore(at.dataDir), 'finished', context);
        else undoRestore(at.dataDir);
      } else assert.equal(restorePendingReason(at.dataDir), undefined, context);
      assert.equal(readRestoreJournal(at.dataDir), undefined, context);
      const expected = how === 'abort' && cutAt < journalGone ? 'old' : 'new';
      assert.equal(await sideOf(at.dataDir), expected, context);
      // A staging folder left after the journal's removal is cleared when hubd starts.
      assert.deepEqual(
        readdirSync(at.dataDir).filter((name) => name.startsWith('.restore-')),
        [],
        `${context}: no staging folder left`,
      );
      if (expected === 'new' && cutAt > 0)
        assert.ok(existsSync(join(at.dataDir, at.journal.asideDir, 'hub.db')), `${context}: old data kept`);
    }
  });

  it('is refused by hubd and `hub restore FILE` until `hub restore --resume` or `--abort` resolves it', async () => {
    for (const [flag, expected] of [
      ['--resume', 'new'],
      ['--abort', 'old'],
    ] as const) {
      const { dataDir, journal } = await staged();
      const halfway = swapSteps(dataDir, journal).findIndex((s) => s.name === 'put feeds in place');
      assert.throws(
        () =>
          runSwap(dataDir, journal, (_step, index) => {
            if (index === halfway) throw new PowerCut();
          }),
        PowerCut,
      );
      const again = await hubCli(['restore', backupFile], dataDir);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /was cut short: finish it \(hub restore --resume\) or undo it/);
      const offline = await hubCli(['backup', '--out', join(makeTempDir(teardown), 'b.tar.gz')], dataDir);
      assert.equal(offline.code, 1);
      assert.match(offline.stderr, /was cut short/);
      const resolved = await hubCli(['restore', flag], dataDir);
      assert.equal(resolved.code, 0, resolved.stderr);
      assert.match(resolved.stdout, flag === '--resume' ? /finished the cut-short restore/ : /undid/);
      assert.equal(await sideOf(dataDir), expected);
      const none = await hubCli(['restore', flag], dataDir);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no restore of .+ is pending/);
    }
  });
});
