// hub-updater's work as root: one at a time (the lock), it takes a request from hubd's inbox
// (`run-request`) or a file from root's command line (`install`), or finishes an interrupted
// install (`recover`), and writes each change to the status file hubd reads (update-inbox.ts).
// A request never forces: only root on the command line may install an older version.
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import type { ActiveJournal } from './install-journal.js';
import type { UpdateRequest, UpdateSource, UpdateStatus } from './update-inbox.js';
import type { InstallResult, UpdaterService } from './updater-service.js';

export type RequestRead =
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string; id?: string; source?: UpdateSource }
  | { kind: 'ok'; request: UpdateRequest };

export type BundleTaken =
  { ok: true; file: string } | { ok: false; state: 'failed' | 'refused'; code: string; reason: string };

/** hubd's inbox as root sees it (inbox-reader.fs.ts). */
export interface Inbox {
  readRequest(): RequestRead;
  /** Copies the bundle into the root-only incoming folder; the inbox copy and request go either way. */
  takeBundle(request: UpdateRequest): BundleTaken;
  /** Removes request.json and, given its id, the bundle it names. */
  discard(request?: { id: string }): void;
  removeIncoming(file: string): void;
  /** Leftovers of a hub-updater that died (recovery never needs the bundle). */
  clearIncoming(): void;
}

export interface StatusStore {
  read(): UpdateStatus | null;
  write(status: UpdateStatus): void;
}

export type LockTaken = { ok: true; release(): void } | { ok: false; reason: string };

export type Installer = Pick<UpdaterService, 'install' | 'recover'>;

export interface RequestRunnerDeps {
  inbox: Inbox;
  status: StatusStore;
  lock(command: string): LockTaken;
  updater: Installer;
  clock: Clock;
  newId(): string;
  /** Told when a status could not be written (the install goes on: its journal is the truth). */
  onStatusError?: (err: unknown) => void;
}

type Who = { id: string; source: UpdateSource };
type Final = Omit<UpdateStatus, 'format' | 'id' | 'source' | 'updatedAtMs'>;
export type BusyResult = { outcome: 'refused'; code: 'busy'; reason: string };

/** An id for the status of a request too broken to name its own. */
const UNNAMED: Who = { id: 'invalid-request', source: 'app' };

export class RequestRunner {
  constructor(private readonly deps: RequestRunnerDeps) {}

  private report(who: Who, fields: Final): UpdateStatus {
    const status: UpdateStatus = { format: 1, ...who, ...fields, updatedAtMs: this.deps.clock.nowMs() };
    try {
      this.deps.status.write(status);
    } catch (err) {
      this.deps.onStatusError?.(err);
    }
    return status;
  }

  private stepReporter(who: Who) {
    return (journal: ActiveJournal) =>
      this.report(who, {
        state: 'installing',
        step: journal.step,
        version: journal.version,
        fromVersion: journal.fromVersion,
      });
  }

  private finalOf(result: InstallResult): Final {
    if (result.outcome === 'refused') return { state: 'refused', code: result.code, reason: result.reason };
    const { version, fromVersion } = result;
    return result.outcome === 'installed'
      ? { state: 'installed', version, fromVersion }
      : { state: 'rolled-back', version, fromVersion, reason: result.why.slice(0, 500) };
  }

  /** Verifies and installs `file` (already root's own), reporting every change. */
  private async installReporting(file: string, who: Who, force: boolean): Promise<UpdateStatus> {
    this.report(who, { state: 'verifying' });
    try {
      const result = await this.deps.updater.install(file, {
        force,
        id: who.id,
        onStep: this.stepReporter(who),
      });
      return this.report(who, this.finalOf(result));
    } catch (err) {
      // A failed rollback step or journal write: the journal stays for `recover`.
      return this.report(who, { state: 'failed', reason: describeError(err).slice(0, 500) });
    }
  }

  /** `run-request`: the request in the inbox, if there is one. */
  async runRequest(): Promise<{ outcome: 'nothing' } | { outcome: 'done'; status: UpdateStatus }> {
    const { inbox } = this.deps;
    const lock = this.deps.lock('run-request');
    try {
      const read = inbox.readRequest();
      if (read.kind === 'none') return { outcome: 'nothing' };
      if (read.kind === 'invalid') {
        inbox.discard(read.id ? { id: read.id } : undefined);
        const who = { id: read.id ?? UNNAMED.id, source: read.source ?? UNNAMED.source };
        return {
          outcome: 'done',
          status: this.report(who, { state: 'failed', code: 'bad-request', reason: read.reason }),
        };
      }
      const who = { id: read.request.id, source: read.request.source };
      if (!lock.ok) {
        inbox.discard(who);
        return {
          outcome: 'done',
          status: this.report(who, { state: 'refused', code: 'busy', reason: lock.reason }),
        };
      }
      inbox.clearIncoming();
      this.report(who, { state: 'queued' });
      const taken = inbox.takeBundle(read.request);
      if (!taken.ok) {
        const { state, code, reason } = taken;
        return { outcome: 'done', status: this.report(who, { state, code, reason }) };
      }
      try {
        return { outcome: 'done', status: await this.installReporting(taken.file, who, false) };
      } finally {
        inbox.removeIncoming(taken.file);
      }
    } finally {
      if (lock.ok) lock.release();
    }
  }

  /** `install FILE [--force]` by root on the command line. */
  async installFile(file: string, opts: { force: boolean }): Promise<UpdateStatus | BusyResult> {
    const lock = this.deps.lock('install');
    if (!lock.ok) return { outcome: 'refused', code: 'busy', reason: lock.reason };
    try {
      return await this.installReporting(file, { id: this.deps.newId(), source: 'cli' }, opts.force);
    } finally {
      lock.release();
    }
  }

  /** `recover`: finishes or rolls back an interrupted install, under the journal's id. */
  async recover(): Promise<Awaited<ReturnType<Installer['recover']>> | BusyResult> {
    const lock = this.deps.lock('recover');
    if (!lock.ok) return { outcome: 'refused', code: 'busy', reason: lock.reason };
    try {
      let who: Who | undefined;
      const onStep = (journal: ActiveJournal) => {
        if (!who) {
          // The app asked for this install if the last status names it; else it was the CLI.
          const last = this.deps.status.read();
          who = { id: journal.id, source: last?.id === journal.id ? last.source : 'cli' };
        }
        this.stepReporter(who)(journal);
      };
      try {
        const recovered = await this.deps.updater.recover({ onStep });
        if (who && recovered.result) this.report(who, this.finalOf(recovered.result));
        return recovered;
      } catch (err) {
        if (who) this.report(who, { state: 'failed', reason: describeError(err).slice(0, 500) });
        throw err;
      }
    } finally {
      lock.release();
    }
  }
}
