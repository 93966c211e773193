// Carries an OS update journal until the next reboot or its end, through ports (ADR 013). The real
// adapters (a block-device slot writer, an autoboot.txt writer, the firmware facts from
// /proc/device-tree and `reboot '0 tryboot'`) do not exist yet; the unit tests use a model Pi.
import type { Clock } from '../shared/clock.js';
import { describeError } from '../shared/errors.js';
import {
  afterOsStep,
  beginOsRollback,
  decide,
  isOsActive,
  osRolledBack,
  type BootFacts,
  type OsActiveJournal,
  type OsDecision,
  type OsFinishedJournal,
  type OsJournal,
  type OsUpdateJournal,
  type Slot,
} from './os-slot-machine.js';
import type { ReadinessProbe } from './ports.js';

/** The journal on /data, which both slots mount: replaced atomically. */
export interface OsJournalStore {
  read(): Promise<OsJournal | null>;
  write(journal: OsJournal): Promise<void>;
}

export interface RootSlots {
  /** Writes the image to the slot's partition and syncs it; repeatable from the start. */
  write(slot: Slot, journal: OsUpdateJournal): Promise<void>;
  /** sha256 of the slot's partition (the image's length) equals `sha256`. */
  verify(slot: Slot, sha256: string): Promise<boolean>;
}

export interface Firmware {
  facts(): Promise<BootFacts>;
  /** Rewrites autoboot.txt (one 512-byte sector: `[all] tryboot_a_b=1 boot_partition=… [tryboot] boot_partition=…`). */
  writeAutoboot(slots: { defaultSlot: Slot; trybootSlot: Slot }): Promise<void>;
  /** `reboot '0 tryboot'` or a plain reboot; on the Pi it does not return. */
  reboot(opts: { tryboot: boolean }): Promise<void>;
}

export interface OsSlotPorts {
  journal: OsJournalStore;
  slots: RootSlots;
  firmware: Firmware;
  /** hubd's /readyz on the tried slot, within the confirm deadline. */
  readiness: ReadinessProbe;
  clock: Clock;
  onStep?: (journal: OsActiveJournal) => void;
}

export type OsRunOutcome =
  { kind: 'finished'; journal: OsFinishedJournal } | { kind: 'rebooting'; journal: OsActiveJournal };

type StepResult = { done: true } | { done: false; why: string } | { reboot: true };

async function runStep(journal: OsActiveJournal, ports: OsSlotPorts): Promise<StepResult> {
  const { slots, firmware } = ports;
  if (journal.phase === 'rollback') {
    await firmware.reboot({ tryboot: false });
    return { reboot: true };
  }
  switch (journal.step) {
    case 'write-slot':
      await slots.write(journal.toSlot, journal);
      return (await slots.verify(journal.toSlot, journal.imageSha256))
        ? { done: true }
        : { done: false, why: `slot ${journal.toSlot} does not match the image after writing` };
    case 'set-tryboot':
      // The default stays the running slot; only a one-shot trial boot reaches the new one.
      await firmware.writeAutoboot({ defaultSlot: journal.fromSlot, trybootSlot: journal.toSlot });
      return { done: true };
    case 'reboot':
      await firmware.reboot({ tryboot: true });
      return { reboot: true };
    case 'confirm': {
      const readiness = await ports.readiness.waitReady();
      if (!readiness.ready)
        return { done: false, why: `${journal.version} did not become ready: ${readiness.why}` };
      return (await slots.verify(journal.toSlot, journal.imageSha256))
        ? { done: true }
        : { done: false, why: `slot ${journal.toSlot} no longer matches the image` };
    }
    case 'commit':
      await firmware.writeAutoboot({ defaultSlot: journal.toSlot, trybootSlot: journal.fromSlot });
      return { done: true };
  }
}

/** Before the reboot the old slot runs: a failure just ends the update. After it, reboot to the old slot. */
function failed(journal: OsUpdateJournal, why: string, nowMs: number): OsJournal {
  const beforeReboot = journal.step === 'write-slot' || journal.step === 'set-tryboot';
  return beforeReboot ? osRolledBack(journal, why, nowMs) : beginOsRollback(journal, why);
}

export async function runOsJournal(start: OsJournal, ports: OsSlotPorts): Promise<OsRunOutcome> {
  let journal = start;
  for (;;) {
    await ports.journal.write(journal);
    if (!isOsActive(journal)) return { kind: 'finished', journal };
    ports.onStep?.(journal);
    let result: StepResult;
    try {
      result = await runStep(journal, ports);
    } catch (err) {
      // A failed reboot leaves the journal as it is; the next start decides from the boot facts.
      if (journal.phase === 'rollback' || journal.step === 'reboot') throw err;
      result = { done: false, why: `${journal.step} failed: ${describeError(err)}` };
    }
    if ('reboot' in result) return { kind: 'rebooting', journal };
    if (journal.phase !== 'update') throw new Error('unreachable: a rollback step always reboots');
    const nowMs = ports.clock.nowMs();
    journal = result.done ? afterOsStep(journal, nowMs) : failed(journal, result.why, nowMs);
  }
}

/** At every start of hub-updater on either slot: decide from the journal and the boot, then run on. */
export async function resumeOsUpdate(
  ports: OsSlotPorts,
): Promise<{ decision: OsDecision; outcome: OsRunOutcome | null }> {
  const decision = decide(await ports.journal.read(), await ports.firmware.facts(), ports.clock.nowMs());
  if (decision.action !== 'run') return { decision, outcome: null };
  return { decision, outcome: await runOsJournal(decision.journal, ports) };
}
