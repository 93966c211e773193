// The OS update as a state machine over a journal on /data (ADR 013): write the inactive root
// slot, try it once with the Pi firmware's one-shot `tryboot` flag, confirm that hubd is ready on
// it, then make it the default in autoboot.txt. The firmware clears the flag before it starts the
// tried slot, so any reset before the commit boots the old slot again; after every boot, decide()
// compares the journal with what the firmware booted and says how to go on. Pure: no I/O here.
import { z } from 'zod';
import { isVersion } from './version.js';

export const SLOTS = ['a', 'b'] as const;
export type Slot = (typeof SLOTS)[number];
export const OS_STEPS = ['write-slot', 'set-tryboot', 'reboot', 'confirm', 'commit'] as const;
export type OsStep = (typeof OS_STEPS)[number];

/** Trial boots of one update: a second one means the first ended without a confirm. */
export const MAX_TRIAL_BOOTS = 2;

export function otherSlot(slot: Slot): Slot {
  return slot === 'a' ? 'b' : 'a';
}

const slot = z.enum(SLOTS);
const version = z.string().refine(isVersion);
const common = {
  format: z.literal(1),
  id: z.string().min(1),
  version,
  fromVersion: version,
  /** sha256 of the root filesystem image, checked after writing and before the commit. */
  imageSha256: z.string().regex(/^[0-9a-f]{64}$/),
  fromSlot: slot,
  toSlot: slot,
  startedAtMs: z.number(),
};
export const osJournalSchema = z.discriminatedUnion('phase', [
  z.strictObject({
    ...common,
    phase: z.literal('update'),
    step: z.enum(OS_STEPS),
    /** Trial boots of toSlot that reached hub-updater. */
    trialBoots: z.number().int().min(0),
  }),
  // The tried slot failed while running: a normal reboot, and the firmware boots fromSlot.
  z.strictObject({ ...common, phase: z.literal('rollback'), step: z.literal('reboot-old'), why: z.string() }),
  z.strictObject({ ...common, phase: z.literal('committed'), finishedAtMs: z.number() }),
  z.strictObject({ ...common, phase: z.literal('rolled-back'), why: z.string(), finishedAtMs: z.number() }),
]);
export type OsJournal = z.infer<typeof osJournalSchema>;
export type OsUpdateJournal = Extract<OsJournal, { phase: 'update' }>;
export type OsActiveJournal = Extract<OsJournal, { phase: 'update' | 'rollback' }>;
export type OsFinishedJournal = Extract<OsJournal, { phase: 'committed' | 'rolled-back' }>;

export function isOsActive(journal: OsJournal): journal is OsActiveJournal {
  return journal.phase === 'update' || journal.phase === 'rollback';
}

/**
 * What the running system can see of the boot: the slot and mode the firmware booted
 * (/proc/device-tree/chosen/bootloader/partition and .../tryboot) and autoboot.txt's slots.
 */
export interface BootFacts {
  bootedSlot: Slot;
  tryboot: boolean;
  defaultSlot: Slot;
  trybootSlot: Slot;
}

/** Starts an update from a normal boot of the default slot; the other slot is written. */
export function beginOsUpdate(opts: {
  id: string;
  version: string;
  fromVersion: string;
  imageSha256: string;
  facts: BootFacts;
  nowMs: number;
}): OsUpdateJournal {
  const { id, version, fromVersion, imageSha256, facts, nowMs } = opts;
  if (facts.tryboot || facts.bootedSlot !== facts.defaultSlot) {
    // Writing "the other slot" from a trial boot would overwrite the only known-good root.
    throw new Error(`not on a committed boot (booted ${facts.bootedSlot}, default ${facts.defaultSlot})`);
  }
  return {
    format: 1,
    id,
    version,
    fromVersion,
    imageSha256,
    fromSlot: facts.bootedSlot,
    toSlot: otherSlot(facts.bootedSlot),
    startedAtMs: nowMs,
    phase: 'update',
    step: 'write-slot',
    trialBoots: 0,
  };
}

function base(journal: OsJournal) {
  const { format, id, version, fromVersion, imageSha256, fromSlot, toSlot, startedAtMs } = journal;
  return { format, id, version, fromVersion, imageSha256, fromSlot, toSlot, startedAtMs };
}

export function osRolledBack(journal: OsJournal, why: string, nowMs: number): OsFinishedJournal {
  return { ...base(journal), phase: 'rolled-back', why, finishedAtMs: nowMs };
}

/** A failure while running on the tried slot: reboot normally, the firmware boots fromSlot. */
export function beginOsRollback(journal: OsJournal, why: string): OsActiveJournal {
  return { ...base(journal), phase: 'rollback', step: 'reboot-old', why };
}

/** The journal once `journal.step` has completed (the reboot step is done only by a boot). */
export function afterOsStep(journal: OsUpdateJournal, nowMs: number): OsJournal {
  switch (journal.step) {
    case 'write-slot':
      return { ...journal, step: 'set-tryboot' };
    case 'set-tryboot':
      return { ...journal, step: 'reboot' };
    case 'reboot':
      return { ...journal, step: 'confirm' };
    case 'confirm':
      return { ...journal, step: 'commit' };
    case 'commit':
      return { ...base(journal), phase: 'committed', finishedAtMs: nowMs };
  }
}

export type OsDecision =
  | { action: 'nothing'; why: string }
  /** Write `journal` and run it on (it may already be finished). */
  | { action: 'run'; journal: OsJournal; why: string }
  | { action: 'stuck'; why: string };

/**
 * At every start of hub-updater: where the update stands, given what the firmware booted. Before
 * the reboot the old slot runs and steps repeat. After it, a boot of the old slot means the trial
 * ended without a commit (the firmware fell back, or the power went), so the update is rolled back;
 * a trial boot of the new slot is confirmed; a normal boot of the new slot means the commit landed.
 */
export function decide(journal: OsJournal | null, facts: BootFacts, nowMs: number): OsDecision {
  if (!journal || !isOsActive(journal)) return { action: 'nothing', why: 'no OS update in progress' };
  const { fromSlot, toSlot } = journal;
  const booted = `booted slot ${facts.bootedSlot}${facts.tryboot ? ' (tryboot)' : ''}`;
  const at = `${journal.phase} at ${journal.step}, ${booted}`;
  const run = (next: OsJournal, why: string): OsDecision => ({ action: 'run', journal: next, why });
  const rollBack = (why: string): OsDecision => run(osRolledBack(journal, why, nowMs), why);

  if (journal.phase === 'rollback') {
    if (facts.bootedSlot === fromSlot && !facts.tryboot) return rollBack(journal.why);
    return run(journal, `${at}: rebooting into slot ${fromSlot} again`);
  }
  const onOld = facts.bootedSlot === fromSlot && !facts.tryboot;
  const trial = facts.bootedSlot === toSlot && facts.tryboot;
  const committedBoot = facts.bootedSlot === toSlot && !facts.tryboot;

  if (onOld) {
    switch (journal.step) {
      case 'write-slot':
      case 'set-tryboot':
        return run(journal, `${at}: repeating ${journal.step}`);
      case 'reboot':
        return rollBack(`slot ${toSlot} did not come up in its trial boot (${booted} instead)`);
      case 'confirm':
        return rollBack(
          `the trial boot of slot ${toSlot} ended before it was confirmed (power cut or reset)`,
        );
      case 'commit':
        // Confirmed once, but autoboot.txt still names the old slot: try it again, a bounded number of times.
        if (journal.trialBoots < MAX_TRIAL_BOOTS) {
          return run({ ...journal, step: 'set-tryboot' }, `${at}: the commit did not land, trying again`);
        }
        return rollBack(`the commit of slot ${toSlot} did not land after ${journal.trialBoots} trial boots`);
    }
  }
  if (trial) {
    if (journal.step === 'reboot' || journal.step === 'confirm') {
      if (journal.trialBoots >= MAX_TRIAL_BOOTS) {
        const why = `slot ${toSlot} booted ${journal.trialBoots + 1} times without a confirm`;
        return run(beginOsRollback(journal, why), why);
      }
      const next = { ...journal, step: 'confirm' as const, trialBoots: journal.trialBoots + 1 };
      return run(next, `${at}: confirming slot ${toSlot}`);
    }
    if (journal.step === 'commit') return run(journal, `${at}: repeating the commit`);
    // A trial boot the journal did not ask for: leave it.
    const why = `an unexpected trial boot of slot ${toSlot} at ${journal.step}`;
    return run(beginOsRollback(journal, why), why);
  }
  if (committedBoot && journal.step === 'commit') return run(journal, `${at}: the commit landed`);
  // Someone else changed autoboot.txt or booted by hand: touch nothing, say what was found.
  const autoboot = `autoboot.txt: default ${facts.defaultSlot}, tryboot ${facts.trybootSlot}`;
  return { action: 'stuck', why: `${at}: not a boot this update leads to (${autoboot})` };
}
