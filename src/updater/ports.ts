// What the install runner needs from the world; the real ones are the *.fs.ts, *.sqlite.ts,
// *.net.ts and *.process.ts adapters beside this file, the unit tests use an in-memory model.
import type { ActiveJournal, DiskFacts, Journal } from './install-journal.js';

/** The journal file: read whole, replaced atomically (a power cut leaves the old or the new one). */
export interface JournalStore {
  read(): Promise<Journal | null>;
  write(journal: Journal): Promise<void>;
}

export type Readiness = { ready: true } | { ready: false; why: string };

/** Starts and stops hubd (systemd on the appliance). Both are idempotent. */
export interface ServiceManager {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Waits for the running hubd to be ready within the install's deadline. */
export interface ReadinessProbe {
  waitReady(): Promise<Readiness>;
}

/** The file-level steps. Each is idempotent: recovery repeats a step a power cut interrupted. */
export interface ReleaseStore {
  /** Unpacks the journal's payload into releases/<version>, complete or not at all. */
  unpack(journal: ActiveJournal): Promise<void>;
  /** Copies hub.db (SQLite online backup) and hub.json aside for this install. */
  snapshot(journal: ActiveJournal): Promise<void>;
  /** Points `current` at releases/<version> in one rename. */
  switchTo(version: string): Promise<void>;
  /** Puts the snapshot's hub.db and hub.json back (hubd stopped). */
  restoreSnapshot(journal: ActiveJournal): Promise<void>;
  facts(): Promise<DiskFacts>;
}
