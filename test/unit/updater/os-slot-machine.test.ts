import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  beginOsUpdate,
  decide,
  MAX_TRIAL_BOOTS,
  osJournalSchema,
  type OsFinishedJournal,
  type OsJournal,
  type OsUpdateJournal,
} from '../../../src/updater/os-slot-machine.js';
import { resumeOsUpdate, runOsJournal, type OsRunOutcome } from '../../../src/updater/os-slot-runner.js';
import { imageSha, ModelPi, PowerCut, type OsBehaviour } from './os-slot-model.js';

const FROM = '1.0.0';
const TO = '2.0.0';

function pi(newBehaviour: OsBehaviour): ModelPi {
  return new ModelPi(
    new Map<string, OsBehaviour>([
      [FROM, 'healthy'],
      [TO, newBehaviour],
    ]),
    FROM,
  );
}

function begin(world: ModelPi): OsUpdateJournal {
  return beginOsUpdate({
    id: 'os1',
    version: TO,
    fromVersion: FROM,
    imageSha256: imageSha(TO),
    facts: world.facts(),
    nowMs: world.clock.nowMs(),
  });
}

/** Runs until a reboot, the end, or the power cut (null). */
async function untilCut<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof PowerCut) return null;
    throw err;
  }
}

/**
 * Starts the update, cutting the power at the given mutation counts (each counted from the start
 * of its run), and powers on / resumes after every reboot or cut until the update is finished.
 */
async function drive(world: ModelPi, cuts: readonly number[] = []): Promise<OsFinishedJournal | null> {
  let cut = 0;
  const arm = () => (world.cutAt = cuts[cut] === undefined ? Infinity : world.mutations + cuts[cut++]!);
  arm();
  let outcome: OsRunOutcome | null = await untilCut(() => runOsJournal(begin(world), world.ports()));
  for (let boots = 0; outcome?.kind !== 'finished'; boots++) {
    assert.ok(boots < 10, `no end after 10 boots: ${world.log.join(' | ')}`);
    world.powerOn();
    const label = `cuts ${cuts.join(',')}, boot ${boots}`;
    assert.ok(world.booted, `${label}: nothing boots`);
    assert.ok(
      world.verified(world.booted.slot),
      `${label}: booted slot ${world.booted.slot} is not a verified root`,
    );
    arm();
    const resumed = await untilCut(() => resumeOsUpdate(world.ports()));
    if (resumed === null) continue;
    const { decision } = resumed;
    if (decision.action === 'nothing') {
      assert.equal(world.journalFile, null, `${label}: ${decision.why}`); // cut before the first journal write
      return null;
    }
    assert.equal(decision.action, 'run', `${label}: ${decision.why}`);
    outcome = resumed.outcome;
  }
  return outcome.journal;
}

/** The Pi runs a verified root: the new one with the update committed, or the old one rolled back. */
function assertEnd(world: ModelPi, finished: OsFinishedJournal | null, label: string): void {
  assert.deepEqual(world.violations, [], label);
  assert.equal(world.journalFile, finished, `${label}: the journal on /data is the outcome`);
  assert.ok(world.booted && world.verified(world.booted.slot), label);
  // A committed trial keeps running with the flag's mode until its next reboot.
  if (world.booted.tryboot)
    assert.equal(world.autoboot.defaultSlot, world.booted.slot, `${label}: uncommitted trial`);
  if (finished?.phase === 'committed') {
    assert.deepEqual(world.autoboot, { defaultSlot: 'b', trybootSlot: 'a' }, label);
    assert.equal(world.bootedVersion(), TO, label);
  } else {
    assert.equal(world.autoboot.defaultSlot, 'a', label);
    assert.equal(world.booted.slot, 'a', label);
    assert.equal(world.bootedVersion(), FROM, label);
  }
}

async function cleanRun(
  behaviour: OsBehaviour,
): Promise<{ world: ModelPi; finished: OsFinishedJournal | null }> {
  const world = pi(behaviour);
  const finished = await drive(world);
  return { world, finished };
}

describe('os slot machine: whole updates on a model Pi', () => {
  it('a good update writes slot b, tries it once, confirms and commits it', async () => {
    const { world, finished } = await cleanRun('healthy');
    assert.equal(finished?.phase, 'committed');
    assert.deepEqual(osJournalSchema.parse(finished), finished, 'the journal on disk parses back');
    assertEnd(world, finished, 'clean');
    assert.deepEqual(world.log, [
      'journal update/write-slot',
      'slot b: erased',
      'slot b: blocks written',
      'slot b: synced',
      'journal update/set-tryboot',
      'autoboot.txt default a',
      'journal update/reboot',
      "reboot '0 tryboot'",
      'journal update/confirm',
      'journal update/commit',
      'autoboot.txt default b',
      'journal committed',
    ]);
  });

  it('a root that never becomes ready is left by a normal reboot; the old slot records why', async () => {
    const { world, finished } = await cleanRun('never-ready');
    assert.equal(finished?.phase, 'rolled-back');
    assert.match(finished.why, /2\.0\.0 did not become ready: not ready within 300 s/);
    assertEnd(world, finished, 'never ready');
    assert.ok(world.log.includes('journal rollback/reboot-old'), world.log.join(' | '));
  });

  it('a root whose kernel panics: the firmware falls back to the old slot, which reports it', async () => {
    const { world, finished } = await cleanRun('panics');
    assert.equal(finished?.phase, 'rolled-back');
    assert.match(finished.why, /slot b did not come up in its trial boot/);
    assert.ok(world.log.includes('slot b failed to boot'));
    assertEnd(world, finished, 'panics');
  });

  it('a slot that does not verify after writing is never booted', async () => {
    const world = pi('healthy');
    world.corruptWrites = true;
    const finished = await drive(world);
    assert.equal(finished?.phase, 'rolled-back');
    assert.match(finished.why, /slot b does not match the image after writing/);
    assert.ok(
      !world.log.some((l) => l.startsWith('reboot') || l.startsWith('autoboot')),
      world.log.join(' | '),
    );
    assertEnd(world, finished, 'corrupt');
  });
});

describe('os slot machine: a power cut at every mutation', () => {
  for (const behaviour of ['healthy', 'never-ready', 'panics'] as const) {
    it(`${behaviour}: one cut, then one more cut during recovery, at every pair`, async () => {
      const total = (await cleanRun(behaviour)).world.mutations - 1; // the constructor boots without mutating
      let committed = 0;
      for (let first = 1; first <= total + 1; first++) {
        for (let second = 0; second <= 6; second++) {
          const cuts = second === 0 ? [first] : [first, second];
          const world = pi(behaviour);
          const finished = await drive(world, cuts);
          const label = `${behaviour} cuts ${cuts.join(',')}: ${world.log.join(' | ')}`;
          assertEnd(world, finished, label);
          if (behaviour !== 'healthy') assert.notEqual(finished?.phase, 'committed', label);
          if (finished?.phase === 'rolled-back') assert.ok(finished.why.length > 0, label);
          if (finished?.phase === 'committed') committed++;
        }
      }
      // Cuts before the reboot or after the confirm still end on the new slot.
      if (behaviour === 'healthy') assert.ok(committed > total, `only ${committed} committed`);
    });
  }

  it('a cut during the trial boot: the firmware boots the old slot and the update is rolled back', async () => {
    const world = pi('healthy');
    // Run to the reboot, then cut the power at the trial's first journal write (update/confirm).
    const outcome = await runOsJournal(begin(world), world.ports());
    assert.equal(outcome.kind, 'rebooting');
    world.powerOn();
    assert.deepEqual(world.booted, { slot: 'b', tryboot: true });
    world.cutAt = world.mutations + 2; // after the confirm journal, before the commit journal
    assert.equal(await untilCut(() => resumeOsUpdate(world.ports())), null);
    world.powerOn();
    assert.deepEqual(world.booted, { slot: 'a', tryboot: false }, 'the one-shot flag is gone');
    const { decision, outcome: end } = await resumeOsUpdate(world.ports());
    assert.equal(decision.action, 'run');
    assert.equal(end?.journal.phase, 'rolled-back');
    assert.match((end?.journal as { why: string }).why, /trial boot of slot b ended before it was confirmed/);
    assertEnd(world, end?.kind === 'finished' ? end.journal : null, 'cut in trial');
  });

  it('a cut while autoboot.txt is committed: a normal boot finds it landed, or tries again', async () => {
    for (const landed of [true, false]) {
      const world = pi('healthy');
      await runOsJournal(begin(world), world.ports());
      world.powerOn();
      // Mutations in the trial: confirm journal, commit journal, autoboot.txt, committed journal.
      world.cutAt = world.mutations + (landed ? 4 : 3);
      assert.equal(await untilCut(() => resumeOsUpdate(world.ports())), null);
      world.powerOn();
      assert.deepEqual(world.booted, { slot: landed ? 'b' : 'a', tryboot: false });
      const { outcome } = await resumeOsUpdate(world.ports());
      if (landed) assert.equal(outcome?.journal.phase, 'committed');
      else {
        assert.equal(outcome?.kind, 'rebooting', 'tries slot b again');
        world.powerOn();
        assert.equal((await resumeOsUpdate(world.ports())).outcome?.journal.phase, 'committed');
      }
      assertEnd(world, world.journalFile as OsFinishedJournal, `landed ${landed}`);
    }
  });
});

describe('os slot machine: trial boots the journal did not expect', () => {
  /** Runs to the trial boot and into it until `cut` mutations later (the confirm journal is the first). */
  async function inTrialUntil(world: ModelPi, cut: number): Promise<void> {
    world.cutAt = world.mutations + cut;
    assert.equal(await untilCut(() => resumeOsUpdate(world.ports())), null);
  }

  for (const rearmed of [1, 2]) {
    it(`the flag set again ${rearmed} time(s) during unconfirmed trials (an EEPROM-held flag)`, async () => {
      const world = pi('healthy');
      assert.equal((await runOsJournal(begin(world), world.ports())).kind, 'rebooting');
      for (let i = 0; i < rearmed; i++) {
        world.powerOn();
        assert.deepEqual(world.booted, { slot: 'b', tryboot: true });
        await inTrialUntil(world, 2); // the confirm journal is written, then the power goes
        world.trybootFlag = true;
      }
      world.powerOn();
      assert.deepEqual(world.booted, { slot: 'b', tryboot: true });
      const { decision, outcome } = await resumeOsUpdate(world.ports());
      if (rearmed === 1) {
        assert.match(decision.why, /confirming slot b/);
        assert.equal(outcome?.journal.phase, 'committed');
      } else {
        assert.match(decision.why, /slot b booted 3 times without a confirm/);
        assert.equal(outcome?.kind, 'rebooting');
        world.powerOn();
        const end = await resumeOsUpdate(world.ports());
        assert.equal(end.outcome?.journal.phase, 'rolled-back');
      }
      const finished = world.journalFile as OsFinishedJournal;
      assert.deepEqual(osJournalSchema.parse(finished), finished);
      assertEnd(world, finished, `re-armed ${rearmed}`);
    });
  }
});

describe('os slot machine: decide()', () => {
  const journal = (patch: Partial<OsUpdateJournal>): OsJournal => ({
    format: 1,
    id: 'os1',
    version: TO,
    fromVersion: FROM,
    imageSha256: imageSha(TO),
    fromSlot: 'a',
    toSlot: 'b',
    startedAtMs: 0,
    phase: 'update',
    step: 'confirm',
    trialBoots: 1,
    ...patch,
  });
  const trial = { bootedSlot: 'b', tryboot: true, defaultSlot: 'a', trybootSlot: 'b' } as const;

  it('a second trial boot before the confirm is confirmed again, up to MAX_TRIAL_BOOTS, then left', () => {
    const again = decide(journal({ trialBoots: 1 }), trial, 5);
    assert.equal(again.action === 'run' && again.journal.phase === 'update' && again.journal.trialBoots, 2);
    const left = decide(journal({ trialBoots: MAX_TRIAL_BOOTS }), trial, 5);
    assert.equal(left.action, 'run');
    assert.equal(left.action === 'run' && left.journal.phase, 'rollback');
    assert.match(left.why, /booted 3 times without a confirm/);
  });

  it('refuses to start from a trial boot, and is stuck when autoboot.txt changed under it', () => {
    assert.throws(
      () =>
        beginOsUpdate({
          id: 'x',
          version: TO,
          fromVersion: FROM,
          imageSha256: imageSha(TO),
          facts: trial,
          nowMs: 0,
        }),
      /not on a committed boot/,
    );
    const normalB = { bootedSlot: 'b', tryboot: false, defaultSlot: 'b', trybootSlot: 'a' } as const;
    assert.equal(decide(journal({ step: 'confirm' }), normalB, 0).action, 'stuck');
    assert.equal(decide(null, normalB, 0).action, 'nothing');
  });
});
