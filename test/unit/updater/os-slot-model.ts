// An in-memory Raspberry Pi for the OS slot machine: two root slots, autoboot.txt (one sector,
// replaced whole), the firmware's one-shot tryboot flag, and a journal on /data. Every change is
// one numbered mutation so a test can cut the power at each. The firmware model follows the
// Raspberry Pi documentation (ADR 013): the flag is cleared before the tried slot starts, and a
// slot that does not boot (incomplete root, kernel panic) ends in a reset that boots the default.
import { ManualClock } from '../../../src/shared/clock.js';
import {
  otherSlot,
  type BootFacts,
  type OsJournal,
  type Slot,
} from '../../../src/updater/os-slot-machine.js';
import type { OsSlotPorts } from '../../../src/updater/os-slot-runner.js';
import { PowerCut } from './install-model.js';

export { PowerCut };

/** How a root image behaves once booted. */
export type OsBehaviour = 'healthy' | 'never-ready' | 'panics';

interface Root {
  state: 'empty' | 'partial' | 'complete';
  version: string | null;
  sha256: string | null;
}

export function imageSha(version: string): string {
  const hex = [...version].map((c) => c.charCodeAt(0).toString(16)).join('');
  return hex.padEnd(64, '0').slice(0, 64);
}

export class ModelPi {
  readonly slots: Record<Slot, Root>;
  autoboot: { defaultSlot: Slot; trybootSlot: Slot } = { defaultSlot: 'a', trybootSlot: 'b' };
  trybootFlag = false;
  booted: { slot: Slot; tryboot: boolean } | null = null;
  journalFile: OsJournal | null = null;
  /** Set when a write would have left the Pi without a bootable default. */
  readonly violations: string[] = [];
  readonly log: string[] = [];
  mutations = 0;
  cutAt = Number.POSITIVE_INFINITY;
  /** The next slot write stores something other than the image (a bad card). */
  corruptWrites = false;
  readonly clock = new ManualClock(1_700_000_000_000);

  constructor(
    readonly behaviour: ReadonlyMap<string, OsBehaviour>,
    fromVersion: string,
  ) {
    const good: Root = { state: 'complete', version: fromVersion, sha256: imageSha(fromVersion) };
    this.slots = { a: good, b: { state: 'empty', version: null, sha256: null } };
    this.powerOn();
  }

  /** A complete root whose contents match its image's hash. */
  verified(slot: Slot): boolean {
    const root = this.slots[slot];
    return root.state === 'complete' && root.version !== null && root.sha256 === imageSha(root.version);
  }

  private boots(slot: Slot): boolean {
    const version = this.slots[slot].version;
    return this.verified(slot) && version !== null && this.behaviour.get(version) !== 'panics';
  }

  private mutate(label: string, change: () => void): void {
    this.mutations++;
    // Once the power is gone nothing more happens, whatever the code does with the first error.
    if (this.mutations >= this.cutAt) throw new PowerCut(label);
    change();
    this.log.push(label);
    if (!this.verified(this.autoboot.defaultSlot))
      this.violations.push(`after ${label}: default slot not verified`);
  }

  /** Power on (after a cut or a reboot): the firmware reads and clears the flag, then boots. */
  powerOn(): void {
    this.cutAt = Number.POSITIVE_INFINITY;
    const tryboot = this.trybootFlag;
    this.trybootFlag = false;
    const wanted = tryboot ? this.autoboot.trybootSlot : this.autoboot.defaultSlot;
    if (this.boots(wanted)) {
      this.booted = { slot: wanted, tryboot };
      return;
    }
    // The tried kernel panics or finds no root; the watchdog resets, the flag is gone.
    this.log.push(`slot ${wanted} failed to boot`);
    const fallback = this.autoboot.defaultSlot;
    this.booted = this.boots(fallback) ? { slot: fallback, tryboot: false } : null;
  }

  bootedVersion(): string | null {
    return this.booted ? this.slots[this.booted.slot].version : null;
  }

  facts(): BootFacts {
    if (!this.booted) throw new Error('not running');
    return { bootedSlot: this.booted.slot, tryboot: this.booted.tryboot, ...this.autoboot };
  }

  ports(): OsSlotPorts {
    return {
      clock: this.clock,
      journal: {
        read: async () => this.journalFile,
        write: async (journal) =>
          this.mutate(`journal ${describe(journal)}`, () => (this.journalFile = journal)),
      },
      slots: {
        write: async (slot, journal) => {
          if (slot === this.booted?.slot || slot === this.autoboot.defaultSlot) {
            this.violations.push(`write to slot ${slot}, which is running or the default`);
          }
          const sha256 = this.corruptWrites ? 'f'.repeat(64) : imageSha(journal.version);
          this.mutate(
            `slot ${slot}: erased`,
            () => (this.slots[slot] = { state: 'empty', version: null, sha256: null }),
          );
          this.mutate(
            `slot ${slot}: blocks written`,
            () => (this.slots[slot] = { state: 'partial', version: journal.version, sha256: null }),
          );
          this.mutate(
            `slot ${slot}: synced`,
            () => (this.slots[slot] = { state: 'complete', version: journal.version, sha256 }),
          );
        },
        verify: async (slot, sha256) => this.verified(slot) && this.slots[slot].sha256 === sha256,
      },
      firmware: {
        facts: async () => this.facts(),
        writeAutoboot: async (slots) => {
          if (slots.trybootSlot !== otherSlot(slots.defaultSlot))
            throw new Error('autoboot.txt names one slot twice');
          this.mutate(`autoboot.txt default ${slots.defaultSlot}`, () => (this.autoboot = { ...slots }));
        },
        reboot: async ({ tryboot }) =>
          this.mutate(tryboot ? "reboot '0 tryboot'" : 'reboot', () => {
            this.trybootFlag = tryboot;
            this.booted = null;
          }),
      },
      readiness: {
        waitReady: async () => {
          const version = this.bootedVersion();
          return version !== null && this.behaviour.get(version) === 'healthy'
            ? { ready: true }
            : { ready: false, why: 'not ready within 300 s' };
        },
      },
    };
  }
}

function describe(journal: OsJournal): string {
  return 'step' in journal ? `${journal.phase}/${journal.step}` : journal.phase;
}
