// hub-updater's side of the inbox, for its tests: a hub with a signed bundle, a request dropped as
// hubd drops it, and the runner as hub-updater builds it, reading status.json back after each write.
import type { KeyObject } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../../src/shared/clock.js';
import type { JournalStore } from '../../../src/updater/ports.js';
import type { Inbox } from '../../../src/updater/request-runner.js';
import { inboxPaths, type UpdateRequest, type UpdateStatus } from '../../../src/updater/update-inbox.js';
import { createRequestRunner } from '../../../src/updater/updater-deps.fs.js';
import type { UpdaterLayout } from '../../../src/updater/updater-layout.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { FakeHubd, makeBundle, makeHub, treeOf, updaterFor } from './updater-fixture.js';

type Teardown = { add: (closer: () => unknown) => void };

export const NOW_MS = 1_700_000_000_000;

export async function hubWithBundle(teardown: Teardown, behaviour = { schema: 2, healthy: true }) {
  const root = makeTempDir(teardown, 'hub-req-');
  const hub = makeHub(root);
  const bundle = await makeBundle(root, { version: '1.1.0', behaviour, privateKey: hub.keys.privateKey });
  const hubd = new FakeHubd(hub.layout);
  await hubd.start();
  return { root, ...hub, bundle, hubd };
}

/** What hubd does: the bundle into the inbox, then request.json (by a rename, as hubd writes it). */
export function dropRequest(
  appDir: string,
  bundle: string | null,
  fields: Partial<UpdateRequest> = {},
): UpdateRequest {
  const paths = inboxPaths(appDir);
  mkdirSync(paths.inboxDir, { recursive: true, mode: 0o700 });
  const request: UpdateRequest = {
    format: 1,
    id: 'req-1',
    source: 'app',
    bundle: 'req-1.bundle',
    requestedAtMs: NOW_MS - 1000,
    by: 'ann',
    ...fields,
  };
  if (bundle) copyFileSync(bundle, paths.bundleFile(request.id));
  writeFileSync(`${paths.requestFile}.tmp`, JSON.stringify(request));
  renameSync(`${paths.requestFile}.tmp`, paths.requestFile);
  return request;
}

/** The runner as hub-updater builds it; `seen` gets status.json's contents after every write. */
export function runnerFor(
  hub: { layout: UpdaterLayout; keys: { publicKey: KeyObject }; hubd: FakeHubd },
  opts: {
    maxBundleBytes?: number;
    wrapInbox?: (inbox: Inbox) => Inbox;
    wrapJournal?: (s: JournalStore) => JournalStore;
  } = {},
) {
  const seen: string[] = [];
  const statusFile = inboxPaths(hub.layout.appDir).statusFile;
  const runner = createRequestRunner({
    layout: hub.layout,
    updater: updaterFor(hub.layout, hub.keys.publicKey, hub.hubd, opts.wrapJournal),
    clock: new ManualClock(NOW_MS),
    maxBundleBytes: opts.maxBundleBytes ?? 64 * 1024 * 1024,
    ...(opts.wrapInbox ? { wrapInbox: opts.wrapInbox } : {}),
    wrapStatus: (store) => ({
      read: () => store.read(),
      write: (status) => {
        store.write(status);
        const onDisk = JSON.parse(readFileSync(statusFile, 'utf8')) as UpdateStatus;
        seen.push(onDisk.step ? `${onDisk.state}:${onDisk.step}` : onDisk.state);
      },
    }),
  });
  const status = () => JSON.parse(readFileSync(statusFile, 'utf8')) as UpdateStatus;
  return { runner, seen, status };
}

export const inboxOf = (appDir: string) => readdirSync(inboxPaths(appDir).inboxDir);
export const incomingOf = (appDir: string) => {
  const dir = join(appDir, 'update', 'incoming');
  return existsSync(dir) ? readdirSync(dir) : [];
};
/** Everything an install may change: the releases, `current` and the data dir. */
export const installedState = (layout: UpdaterLayout) => ({
  releases: treeOf(join(layout.appDir, 'releases')),
  current: readlinkSync(join(layout.appDir, 'current')),
  data: treeOf(layout.dataDir),
});
