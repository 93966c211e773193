// The install as a state machine over a journal (docs/updates.md). The journal names the step
// about to run and is written before it runs, so after a power cut it says which step may be half
// done; every step is idempotent, so recovery repeats it. Before the switch nothing of the new
// release has run and rollback needs no snapshot; from the switch on the new release may have
// migrated hub.db, so rollback restores the snapshot.
import { z } from 'zod';
import { isVersion } from './version.js';

export const INSTALL_STEPS = ['unpack', 'stop', 'snapshot', 'switch', 'start', 'await-ready'] as const;
export const ROLLBACK_STEPS = ['stop-new', 'switch-back', 'restore', 'start-old'] as const;
export type InstallStep = (typeof INSTALL_STEPS)[number];
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];
export type Step = InstallStep | RollbackStep;

/** A release that keeps being cut short after the switch (it reboots the Pi?) is rolled back. */
export const MAX_RESUMES = 2;

const version = z.string().refine(isVersion);
const common = {
  format: z.literal(1),
  id: z.string().min(1),
  version,
  fromVersion: version,
  payloadSha256: z.string(),
  startedAtMs: z.number(),
};
export const journalSchema = z.discriminatedUnion('phase', [
  z.strictObject({
    ...common,
    phase: z.literal('install'),
    step: z.enum(INSTALL_STEPS),
    /** How often recovery has started the new release again after an interruption. */
    resumes: z.number().int().min(0),
  }),
  z.strictObject({
    ...common,
    phase: z.literal('rollback'),
    step: z.enum(ROLLBACK_STEPS),
    restoreSnapshot: z.boolean(),
    why: z.string(),
  }),
  z.strictObject({ ...common, phase: z.literal('installed'), finishedAtMs: z.number() }),
  z.strictObject({ ...common, phase: z.literal('rolled-back'), why: z.string(), finishedAtMs: z.number() }),
]);
export type Journal = z.infer<typeof journalSchema>;
export type ActiveJournal = Extract<Journal, { phase: 'install' | 'rollback' }>;
export type InstallJournal = Extract<Journal, { phase: 'install' }>;
export type FinishedJournal = Extract<Journal, { phase: 'installed' | 'rolled-back' }>;

export function isActive(journal: Journal): journal is ActiveJournal {
  return journal.phase === 'install' || journal.phase === 'rollback';
}

export function beginInstall(opts: {
  id: string;
  version: string;
  fromVersion: string;
  payloadSha256: string;
  nowMs: number;
}): InstallJournal {
  const { id, version, fromVersion, payloadSha256, nowMs } = opts;
  return {
    format: 1,
    id,
    version,
    fromVersion,
    payloadSha256,
    startedAtMs: nowMs,
    phase: 'install',
    step: 'unpack',
    resumes: 0,
  };
}

function base(journal: Journal) {
  const { format, id, version, fromVersion, payloadSha256, startedAtMs } = journal;
  return { format, id, version, fromVersion, payloadSha256, startedAtMs };
}

/** The journal once `journal.step` has completed: the next step, or the end. */
export function afterStep(journal: ActiveJournal, nowMs: number): Journal {
  if (journal.phase === 'install') {
    const next = INSTALL_STEPS[INSTALL_STEPS.indexOf(journal.step) + 1];
    return next ? { ...journal, step: next } : { ...base(journal), phase: 'installed', finishedAtMs: nowMs };
  }
  const next = ROLLBACK_STEPS[ROLLBACK_STEPS.indexOf(journal.step) + 1];
  return next
    ? { ...journal, step: next }
    : { ...base(journal), phase: 'rolled-back', why: journal.why, finishedAtMs: nowMs };
}

/**
 * Turns an install into its rollback. `newMayHaveRun` says whether the new release may have
 * opened hub.db; by default, whether the failed step was the switch or later.
 */
export function beginRollback(journal: ActiveJournal, why: string, newMayHaveRun?: boolean): Journal {
  if (journal.phase === 'rollback') throw new Error('already rolling back');
  const switched = INSTALL_STEPS.indexOf(journal.step) >= INSTALL_STEPS.indexOf('switch');
  return {
    ...base(journal),
    phase: 'rollback',
    step: 'stop-new',
    restoreSnapshot: newMayHaveRun ?? switched,
    why,
  };
}

/** What the updater finds on disk at start. */
export interface DiskFacts {
  /** The version the `current` link names, or null when it is missing or names no release. */
  currentVersion: string | null;
  /** Releases whose unpack completed (their marker file is present and names them). */
  completeVersions: readonly string[];
}

export type Recovery =
  | { action: 'nothing'; why: string }
  | { action: 'resume'; journal: Journal; why: string }
  | { action: 'stuck'; why: string };

/**
 * After a power cut or crash: how to reach a hub that boots the old or the new release. Before the
 * switch, roll back (no snapshot needed). After it, give the new release the same readiness test
 * again; if it fails, the rollback restores the snapshot. A rollback starts over (its steps are idempotent).
 */
export function recover(journal: Journal | null, facts: DiskFacts): Recovery {
  if (!journal || !isActive(journal)) return { action: 'nothing', why: 'no install in progress' };
  const fromComplete = facts.completeVersions.includes(journal.fromVersion);
  const newComplete = facts.completeVersions.includes(journal.version);
  const at = `${journal.phase} interrupted at ${journal.step}`;
  if (!fromComplete) {
    // Only the updater removes releases, and never the one it installs from: the disk is damaged.
    return { action: 'stuck', why: `${at}, and the previous release ${journal.fromVersion} is incomplete` };
  }
  if (journal.phase === 'rollback') {
    // From its first step: systemd has booted hubd again, and hub.db is never replaced under it.
    return { action: 'resume', journal: { ...journal, step: 'stop-new' }, why: `${at}: rolling back again` };
  }
  const stepIndex = INSTALL_STEPS.indexOf(journal.step);
  const switched = facts.currentVersion === journal.version;
  if (stepIndex < INSTALL_STEPS.indexOf('switch') || (journal.step === 'switch' && !switched)) {
    return {
      action: 'resume',
      journal: beginRollback(journal, `${at} (power cut or crash)`, false),
      why: at,
    };
  }
  if (!switched || !newComplete) {
    const why = `${at}, and ${journal.version} is not the complete current release`;
    return { action: 'resume', journal: beginRollback(journal, why, true), why };
  }
  if (journal.resumes >= MAX_RESUMES) {
    const why = `${at}, and it was cut short after the switch ${journal.resumes + 1} times`;
    return { action: 'resume', journal: beginRollback(journal, why, true), why };
  }
  const resumed = { ...journal, step: 'start' as const, resumes: journal.resumes + 1 };
  return { action: 'resume', journal: resumed, why: `${at}: checking ${journal.version} again` };
}
