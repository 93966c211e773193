// An in-memory appliance for the install state machine: releases, the `current` link, hub.db,
// the snapshot, the journal and a hubd that migrates the database when a newer release starts.
// Every change to the disk (and every start or stop) is one numbered mutation, so a test can cut
// the power at each of them in turn.
import { ManualClock } from '../../../src/shared/clock.js';
import type { ActiveJournal, DiskFacts, Journal } from '../../../src/updater/install-journal.js';
import type { InstallPorts } from '../../../src/updater/install-runner.js';

export class PowerCut extends Error {
  constructor(readonly at: string) {
    super(`power cut at ${at}`);
  }
}

interface DbFile {
  schema: number;
  data: string;
}

/** A release: the database schema it needs and whether it ever becomes ready. */
export interface ReleaseBehaviour {
  schema: number;
  healthy: boolean;
}

export class ModelAppliance {
  readonly releases = new Map<string, 'partial' | 'complete'>();
  current: string | null;
  db: DbFile = { schema: 1, data: 'original' };
  snapshotDb: DbFile | null = { schema: 1, data: 'stale snapshot of an earlier install' };
  snapshotTmp: DbFile | null = null;
  walPresent = true;
  running: string | null = null;
  journalFile: Journal | null = null;
  readonly log: string[] = [];
  mutations = 0;
  cutAt = Number.POSITIVE_INFINITY;
  readonly clock = new ManualClock(1_700_000_000_000);

  constructor(
    readonly behaviour: ReadonlyMap<string, ReleaseBehaviour>,
    fromVersion: string,
  ) {
    this.releases.set(fromVersion, 'complete');
    this.current = fromVersion;
    this.startHub();
  }

  private mutate(label: string, change: () => void): void {
    this.mutations++;
    if (this.mutations === this.cutAt) throw new PowerCut(label);
    change();
    this.log.push(label);
  }

  /** hubd starting from `current`: a release with a newer schema migrates hub.db first. */
  private startHub(): void {
    this.running = this.current;
    const release = this.current ? this.behaviour.get(this.current) : undefined;
    if (release && this.releases.get(this.current!) === 'complete' && release.schema > this.db.schema) {
      this.db = { ...this.db, schema: release.schema };
    }
  }

  /** hubd is up and ready: a complete, healthy release on a database of its own schema. */
  hubReady(): boolean {
    if (!this.running || this.releases.get(this.running) !== 'complete') return false;
    const release = this.behaviour.get(this.running);
    return !!release && release.healthy && release.schema === this.db.schema;
  }

  /** The power comes back: RAM is gone, systemd starts hubd from whatever `current` names. */
  boot(): void {
    this.cutAt = Number.POSITIVE_INFINITY;
    this.running = null;
    if (this.current && this.releases.get(this.current) === 'complete') this.startHub();
  }

  facts(): DiskFacts {
    const completeVersions = [...this.releases].filter(([, s]) => s === 'complete').map(([v]) => v);
    return { currentVersion: this.current, completeVersions };
  }

  ports(): InstallPorts {
    return {
      clock: this.clock,
      journal: {
        read: async () => this.journalFile,
        write: async (journal) =>
          this.mutate(`journal ${describe(journal)}`, () => (this.journalFile = journal)),
      },
      service: {
        stop: async () => this.mutate('stop hubd', () => (this.running = null)),
        start: async () => this.mutate('start hubd', () => this.startHub()),
      },
      readiness: {
        waitReady: async () =>
          this.hubReady() ? { ready: true } : { ready: false, why: 'not ready within 120 s' },
      },
      releases: {
        unpack: async (journal: ActiveJournal) => {
          const v = journal.version;
          this.mutate('unpack: staging emptied', () => this.releases.delete(v));
          this.mutate('unpack: files written', () => this.releases.set(v, 'partial'));
          this.mutate('unpack: renamed into releases/', () => this.releases.set(v, 'complete'));
        },
        snapshot: async () => {
          this.mutate('snapshot: backup to tmp', () => (this.snapshotTmp = { ...this.db }));
          this.mutate('snapshot: renamed', () => (this.snapshotDb = this.snapshotTmp));
        },
        switchTo: async (version: string) =>
          this.mutate(`current -> ${version}`, () => (this.current = version)),
        restoreSnapshot: async () => {
          this.mutate('restore: wal removed', () => (this.walPresent = false));
          // Replacing hub.db under a running hubd loses or tears what it writes.
          const torn = { schema: -1, data: 'replaced under a running hubd' };
          this.mutate(
            'restore: hub.db replaced',
            () => (this.db = this.running ? torn : { ...this.snapshotDb! }),
          );
        },
        facts: async () => this.facts(),
      },
    };
  }
}

function describe(journal: Journal): string {
  return 'step' in journal ? `${journal.phase}/${journal.step}` : journal.phase;
}
