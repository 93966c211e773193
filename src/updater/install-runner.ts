// Carries a journal to its end: writes it before each step, runs the step, and turns a failed
// install step into a rollback. A failed rollback step (or a failed journal write) stops here with
// the journal on that step; the next start of hub-updater resumes it through recover().
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import {
  afterStep,
  beginRollback,
  isActive,
  type ActiveJournal,
  type FinishedJournal,
  type Journal,
} from './install-journal.js';
import type { JournalStore, ReadinessProbe, ReleaseStore, ServiceManager } from './ports.js';

export interface InstallPorts {
  journal: JournalStore;
  releases: ReleaseStore;
  service: ServiceManager;
  readiness: ReadinessProbe;
  clock: Clock;
  /** Told each step as it starts (progress for the log, later the app and the server). */
  onStep?: (journal: ActiveJournal) => void;
}

/** Runs one step; returns why the new release is not good enough, or null when the step is done. */
async function runStep(journal: ActiveJournal, ports: InstallPorts): Promise<string | null> {
  const { releases, service } = ports;
  switch (journal.step) {
    case 'unpack':
      await releases.unpack(journal);
      return null;
    case 'stop':
    case 'stop-new':
      await service.stop();
      return null;
    case 'snapshot':
      await releases.snapshot(journal);
      return null;
    case 'switch':
      await releases.switchTo(journal.version);
      return null;
    case 'switch-back':
      await releases.switchTo(journal.fromVersion);
      return null;
    case 'start':
    case 'start-old':
      await service.start();
      return null;
    case 'await-ready': {
      const readiness = await ports.readiness.waitReady();
      return readiness.ready ? null : `${journal.version} did not become ready: ${readiness.why}`;
    }
    case 'restore':
      if (journal.phase === 'rollback' && journal.restoreSnapshot) await releases.restoreSnapshot(journal);
      return null;
  }
}

export async function runJournal(start: Journal, ports: InstallPorts): Promise<FinishedJournal> {
  let journal = start;
  for (;;) {
    await ports.journal.write(journal);
    if (!isActive(journal)) return journal;
    ports.onStep?.(journal);
    let failure: string | null;
    try {
      failure = await runStep(journal, ports);
    } catch (err) {
      if (journal.phase === 'rollback') throw err;
      failure = `${journal.step} failed: ${describeError(err)}`;
    }
    journal = failure === null ? afterStep(journal, ports.clock.nowMs()) : beginRollback(journal, failure);
  }
}
