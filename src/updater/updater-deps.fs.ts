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
