import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, runEntry, spawnEntry, until } from '../../helpers/processes.js';
import { useTeardown } from '../../helpers/teardown.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { inboxPaths, updateRequestSchema, type UpdateStatus } from '../../../src/updater/update-inbox.js';

const teardown = useTeardown();

/** `hub update FILE` against a temp app dir; the test plays hub-updater with the given states. */
async function updateWith(states: Omit<UpdateStatus, 'format' | 'id' | 'source' | 'updatedAtMs'>[]) {
  const appDir = makeTempDir(teardown);
  const bundleFile = join(makeTempDir(teardown), 'hub-2.0.0.bundle');
  const bundle = randomBytes(200_000);
  writeFileSync(bundleFile, bundle);
  const child = spawnEntry('src/cli/main.ts', ['update', bundleFile], {
    HUB_DATA_DIR: makeTempDir(teardown),
    HUB_APP_DIR: appDir,
  });
  teardown.add(() => child.kill());
  const run = collect(child);
  const paths = inboxPaths(appDir);
  await until(() => existsSync(paths.requestFile), 20_000, 'the request');
  const request = updateRequestSchema.parse(JSON.parse(readFileSync(paths.requestFile, 'utf8')));
  assert.equal(request.source, 'cli');
  assert.deepEqual(readFileSync(paths.bundleFile(request.id)), bundle);
  rmSync(paths.requestFile);
  mkdirSync(paths.statusDir, { recursive: true });
  for (const [i, state] of states.entries()) {
    const status = { format: 1, id: request.id, source: 'cli', updatedAtMs: i, ...state };
    writeFileSync(paths.statusFile, JSON.stringify(status));
    if (i < states.length - 1)
      await until(() => run.output().stdout.split('\n').length >= i + 3, 10_000, `line ${i + 1}`);
  }
  const done = await run.done;
  return { ...done, lines: done.stdout.trim().split('\n').slice(1), id: request.id };
}

describe('hub update', () => {
  it('hands the bundle to hub-updater, prints each state and exits 0 once installed', async () => {
    const res = await updateWith([
      { state: 'verifying' },
      { state: 'installing', step: 'unpack' },
      { state: 'installing', step: 'await-ready' },
      { state: 'installed', version: '2.0.0' },
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.lines, [
      'verifying',
      'installing: unpack',
      'installing: await-ready',
      'installed 2.0.0',
    ]);
  });

  it('exits 1 when the release was rolled back', async () => {
    const res = await updateWith([
      { state: 'installing', step: 'await-ready' },
      { state: 'rolled-back', reason: 'hubd did not become ready within 120 s' },
    ]);
    assert.equal(res.code, 1);
    assert.deepEqual(res.lines, [
      'installing: await-ready',
      'rolled-back (hubd did not become ready within 120 s)',
    ]);
  });

  it('says why without HUB_APP_DIR, and shows the status with --status', async () => {
    const none = await runEntry('src/cli/main.ts', ['update', '/nonexistent'], {
      HUB_DATA_DIR: makeTempDir(teardown),
    });
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr.trim(),
      'hub: updates are installed by hub-updater on the appliance image; HUB_APP_DIR is not set',
    );
    const appDir = makeTempDir(teardown);
    const env = { HUB_DATA_DIR: makeTempDir(teardown), HUB_APP_DIR: appDir };
    assert.equal(
      (await runEntry('src/cli/main.ts', ['update', '--status'], env)).stdout,
      'no update has run on this hub\n',
    );
    mkdirSync(join(appDir, 'outbox'));
    const refused = {
      format: 1,
      id: 'app-1',
      source: 'app',
      state: 'refused',
      code: 'bad-signature',
      updatedAtMs: 1,
    };
    writeFileSync(join(appDir, 'outbox', 'status.json'), JSON.stringify(refused));
    assert.equal(
      (await runEntry('src/cli/main.ts', ['update', '--status'], env)).stdout,
      'app-1 (from app): refused: bad-signature\n',
    );
  });
});
