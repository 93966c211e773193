import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  beginInstall,
  recover,
  type FinishedJournal,
  type Journal,
} from '../../../src/updater/install-journal.js';
import { runJournal } from '../../../src/updater/install-runner.js';
import { ModelAppliance, PowerCut, type ReleaseBehaviour } from './install-model.js';

const FROM = '1.0.0';
const TO = '1.1.0';

function appliance(newHealthy: boolean): ModelAppliance {
  const behaviour = new Map<string, ReleaseBehaviour>([
    [FROM, { schema: 1, healthy: true }],
    [TO, { schema: 2, healthy: newHealthy }],
  ]);
  return new ModelAppliance(behaviour, FROM);
}

function startJournal(world: ModelAppliance): Journal {
  return beginInstall({
    id: 'i1',
    version: TO,
    fromVersion: FROM,
    payloadSha256: 'a'.repeat(64),
    nowMs: world.clock.nowMs(),
  });
}

/** Runs until the end or the power cut; returns the finished journal, or null after a cut. */
async function runUntilCut(world: ModelAppliance, journal: Journal): Promise<FinishedJournal | null> {
  try {
    return await runJournal(journal, world.ports());
  } catch (err) {
    if (err instanceof PowerCut) return null;
    throw err;
  }
}

/** After boot and recovery: the hub runs exactly one complete release, on the data that belongs to it. */
function assertConsistent(world: ModelAppliance, finished: FinishedJournal | null, label: string): void {
  assert.ok(world.current === FROM || world.current === TO, `${label}: current is ${world.current}`);
  assert.equal(world.releases.get(world.current!), 'complete', `${label}: current release incomplete`);
  assert.equal(world.running, world.current, `${label}: hubd runs ${world.running}`);
  assert.ok(world.hubReady(), `${label}: hubd not ready (db schema ${world.db.schema})`);
  assert.equal(world.db.data, 'original', `${label}: hub.db holds ${world.db.data}`);
  assert.equal(world.releases.get(FROM), 'complete', `${label}: the previous release is kept`);
  assert.equal(world.journalFile, finished, `${label}: the journal on disk is the outcome`);
  if (finished?.phase === 'installed') assert.equal(world.current, TO, label);
  else {
    assert.equal(world.current, FROM, label);
    assert.equal(world.db.schema, 1, `${label}: the snapshot is restored`);
  }
}

/** The power is cut at mutation `cutAt`; the hub boots; hub-updater recovers (maybe cut again). */
async function cutAndRecover(
  newHealthy: boolean,
  cuts: number[],
): Promise<{ world: ModelAppliance; finished: FinishedJournal | null }> {
  const world = appliance(newHealthy);
  world.cutAt = world.mutations + cuts[0]!;
  let finished = await runUntilCut(world, startJournal(world));
  for (let i = 1; finished === null; i++) {
    world.boot();
    // Never neither: what systemd boots after the cut is a complete release.
    assert.equal(world.releases.get(world.current ?? ''), 'complete', `boot after cut ${cuts.join(',')}`);
    const decision = recover(world.journalFile, world.facts());
    if (decision.action === 'nothing' && world.journalFile === null) return { world, finished: null }; // cut before the first journal write
    assert.equal(decision.action, 'resume', `cut ${cuts.join(',')}: ${decision.why}`);
    if (decision.action !== 'resume') throw new Error('unreachable');
    world.cutAt = cuts[i] === undefined ? Number.POSITIVE_INFINITY : world.mutations + cuts[i]!;
    finished = await runUntilCut(world, decision.journal);
  }
  return { world, finished };
}

async function mutationsOfCleanRun(
  newHealthy: boolean,
): Promise<{ count: number; finished: FinishedJournal }> {
  const world = appliance(newHealthy);
  const before = world.mutations;
  const finished = await runJournal(startJournal(world), world.ports());
  assertConsistent(world, finished, 'clean run');
  return { count: world.mutations - before, finished };
}

describe('install state machine', () => {
  it('installs a healthy release: the new release is current, the previous one is kept', async () => {
    const world = appliance(true);
    const finished = await runJournal(startJournal(world), world.ports());
    assert.equal(finished.phase, 'installed');
    assertConsistent(world, finished, 'healthy');
    assert.equal(world.db.schema, 2, 'the new release migrated hub.db');
    assert.deepEqual(recover(world.journalFile, world.facts()).action, 'nothing');
  });

  it('rolls back a release that never gets ready and restores the snapshot it migrated', async () => {
    const world = appliance(false);
    const finished = await runJournal(startJournal(world), world.ports());
    assert.equal(finished.phase, 'rolled-back');
    assert.match(
      finished.phase === 'rolled-back' ? finished.why : '',
      /1\.1\.0 did not become ready: not ready within 120 s/,
    );
    assertConsistent(world, finished, 'broken');
    assert.ok(world.log.includes('restore: hub.db replaced'));
  });

  it('rolls back without touching hub.db when a step before the switch fails', async () => {
    const world = appliance(true);
    const ports = world.ports();
    ports.releases.unpack = async () => {
      throw new Error('No space left on device');
    };
    const finished = await runJournal(startJournal(world), ports);
    assert.deepEqual(
      finished.phase === 'rolled-back' ? finished.why : finished.phase,
      'unpack failed: No space left on device',
    );
    assert.ok(!world.log.some((entry) => entry.startsWith('restore')), 'no snapshot restored');
    assert.equal(world.current, FROM);
    assert.ok(world.hubReady());
  });

  for (const newHealthy of [true, false]) {
    const kind = newHealthy ? 'a healthy release' : 'a release that never gets ready';
    it(`a power cut at every step boundary of ${kind} ends consistent after recovery`, async () => {
      const { count, finished: clean } = await mutationsOfCleanRun(newHealthy);
      assert.ok(count >= 14, `only ${count} mutations`);
      const outcomes = new Set<string>();
      for (let cut = 1; cut <= count; cut++) {
        const { world, finished } = await cutAndRecover(newHealthy, [cut]);
        assertConsistent(world, finished, `cut at ${cut}`);
        outcomes.add(finished?.phase ?? 'never started');
      }
      // Some cuts roll back a healthy release (before the switch); after the switch it is kept.
      assert.ok(outcomes.has(clean.phase));
      const expected = newHealthy
        ? ['installed', 'never started', 'rolled-back']
        : ['never started', 'rolled-back'];
      assert.deepEqual([...outcomes].sort(), expected);
    });

    it(`a second power cut during the recovery of ${kind} also ends consistent`, async () => {
      const { count } = await mutationsOfCleanRun(newHealthy);
      let pairs = 0;
      for (let first = 1; first <= count; first++) {
        for (let second = 1; second <= count; second++) {
          const { world, finished } = await cutAndRecover(newHealthy, [first, second]);
          assertConsistent(world, finished, `cuts at ${first} then ${second}`);
          pairs++;
        }
      }
      assert.equal(pairs, count * count);
    });
  }
});

describe('recover', () => {
  const install = beginInstall({
    id: 'i',
    version: TO,
    fromVersion: FROM,
    payloadSha256: 'b'.repeat(64),
    nowMs: 0,
  });
  const both = [FROM, TO];

  it('does nothing without a journal or after a finished install', () => {
    assert.equal(recover(null, { currentVersion: FROM, completeVersions: [FROM] }).action, 'nothing');
    const done: Journal = { ...install, phase: 'installed', finishedAtMs: 1 } as Journal;
    assert.equal(recover(done, { currentVersion: TO, completeVersions: both }).action, 'nothing');
  });

  const table: {
    step: 'unpack' | 'stop' | 'snapshot' | 'switch' | 'start' | 'await-ready';
    current: string;
    expect: string;
  }[] = [
    { step: 'unpack', current: FROM, expect: 'rollback without snapshot' },
    { step: 'stop', current: FROM, expect: 'rollback without snapshot' },
    { step: 'snapshot', current: FROM, expect: 'rollback without snapshot' },
    { step: 'switch', current: FROM, expect: 'rollback without snapshot' },
    { step: 'switch', current: TO, expect: 'install from start' },
    { step: 'start', current: TO, expect: 'install from start' },
    { step: 'await-ready', current: TO, expect: 'install from start' },
    { step: 'await-ready', current: FROM, expect: 'rollback with snapshot' },
  ];
  for (const row of table) {
    it(`interrupted at ${row.step} with current ${row.current}: ${row.expect}`, () => {
      const decision = recover(
        { ...install, step: row.step },
        { currentVersion: row.current, completeVersions: both },
      );
      assert.equal(decision.action, 'resume');
      const j = decision.action === 'resume' ? decision.journal : install;
      const got =
        j.phase === 'rollback'
          ? `rollback ${j.restoreSnapshot ? 'with' : 'without'} snapshot`
          : `${j.phase} from ${'step' in j ? j.step : ''}`;
      assert.equal(got, row.expect);
    });
  }

  it('rolls back with the snapshot when the new release is incomplete after the switch', () => {
    const decision = recover({ ...install, step: 'start' }, { currentVersion: TO, completeVersions: [FROM] });
    assert.ok(decision.action === 'resume' && decision.journal.phase === 'rollback');
    assert.equal(decision.journal.restoreSnapshot, true);
  });

  it('rolls back with the snapshot once the new release was cut short after the switch three times', () => {
    const facts = { currentVersion: TO, completeVersions: both };
    let journal: Journal = { ...install, step: 'await-ready' };
    const actions: string[] = [];
    for (let boot = 0; boot < 3; boot++) {
      const decision = recover(journal, facts);
      if (decision.action !== 'resume') throw new Error(decision.why);
      journal = decision.journal;
      actions.push(
        journal.phase === 'rollback'
          ? `rollback, restore ${journal.restoreSnapshot}`
          : `${journal.phase}/${'step' in journal ? journal.step : ''}`,
      );
      if (journal.phase === 'install') journal = { ...journal, step: 'await-ready' }; // cut again while waiting
    }
    assert.deepEqual(actions, ['install/start', 'install/start', 'rollback, restore true']);
    assert.match(
      recover({ ...install, step: 'start', resumes: 2 }, facts).why,
      /cut short after the switch 3 times/,
    );
  });

  it('is stuck, and says so, when the previous release is gone', () => {
    const decision = recover(
      { ...install, step: 'snapshot' },
      { currentVersion: FROM, completeVersions: [TO] },
    );
    assert.equal(decision.action, 'stuck');
    assert.match(decision.why, /previous release 1\.0\.0 is incomplete/);
  });
});
