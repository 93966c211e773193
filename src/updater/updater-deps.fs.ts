// Builds hub-updater's UpdaterService from the real adapters (files, SQLite, tar, /readyz, systemd).
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Clock } from '../shared/clock.js';
import { digestPayload, readBundleHeader } from './bundle-file.fs.js';
import { fileJournalStore } from './journal.fs.js';
import type { JournalStore, ReadinessProbe, ServiceManager } from './ports.js';
import { fsReleaseStore, pruneReleases } from './release-store.fs.js';
import { layoutPaths, type UpdaterLayout } from './updater-layout.js';
import { UpdaterService } from './updater-service.js';
import { fsInbox } from './inbox-reader.fs.js';
import { RequestRunner, type Inbox, type StatusStore } from './request-runner.js';
import { fileStatus } from './status-file.fs.js';
import { inboxPaths } from './update-inbox.js';
import { acquireUpdaterLock } from './updater-lock.fs.js';

export function readPublicKey(file: string): KeyObject {
  return createPublicKey(readFileSync(file));
}

export function readPrivateKey(file: string): KeyObject {
  return createPrivateKey(readFileSync(file));
}

export function createUpdater(opts: {
  layout: UpdaterLayout;
  publicKey: KeyObject;
  service: ServiceManager;
  readiness: ReadinessProbe;
  clock: Clock;
  onStep?: (step: string) => void;
  /** Wraps the journal file (a test cuts the power at a chosen write). */
  wrapJournal?: (store: JournalStore) => JournalStore;
}): UpdaterService {
  const paths = layoutPaths(opts.layout);
  return new UpdaterService({
    publicKey: opts.publicKey,
    journal: (opts.wrapJournal ?? ((store) => store))(fileJournalStore(paths.journalFile)),
    service: opts.service,
    readiness: opts.readiness,
    clock: opts.clock,
    onStep: (journal) => opts.onStep?.(`${journal.phase} ${journal.version}: ${journal.step}`),
    bundles: { readHeader: readBundleHeader, digestPayload },
    releases: (bundle) => fsReleaseStore(opts.layout, bundle),
    prune: (keep) => pruneReleases(opts.layout, keep),
    newId: () => randomUUID(),
  });
}

/** hub-updater's commands over the inbox, the status file and the lock (request-runner.ts). */
export function createRequestRunner(opts: {
  layout: UpdaterLayout;
  updater: UpdaterService;
  clock: Clock;
  maxBundleBytes: number;
  /** Wrap the inbox and the status file (a test swaps the bundle after it was copied, or reads each status). */
  wrapInbox?: (inbox: Inbox) => Inbox;
  wrapStatus?: (status: StatusStore) => StatusStore;
  onStatusError?: (err: unknown) => void;
}): RequestRunner {
  const paths = layoutPaths(opts.layout);
  const inbox = fsInbox({
    appDir: opts.layout.appDir,
    incomingDir: paths.incomingDir,
    maxBundleBytes: opts.maxBundleBytes,
  });
  return new RequestRunner({
    inbox: (opts.wrapInbox ?? ((x) => x))(inbox),
    status: (opts.wrapStatus ?? ((x) => x))(fileStatus(inboxPaths(opts.layout.appDir).statusFile)),
    lock: (command) => acquireUpdaterLock(paths.lockFile, command),
    updater: opts.updater,
    clock: opts.clock,
    newId: () => randomUUID(),
    ...(opts.onStatusError ? { onStatusError: opts.onStatusError } : {}),
  });
}
