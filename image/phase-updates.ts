// test:image, updates through the app: a bundle signed by another key is refused and changes
// nothing; a bundle whose hubd never gets ready is installed, fails, and is rolled back, with the
// household's data as it was.
import type { GuestHub, Session } from './guest-hub.js';
import { check, report, seconds } from './report.js';
import type { TestBundles } from './update-fixtures.js';
import type { Vm } from './vm.js';

export async function currentRelease(vm: Vm): Promise<string> {
  return vm.sh('readlink /data/app/current');
}

export async function appUpdates(opts: {
  vm: Vm;
  hub: GuestHub;
  session: () => Session;
  bundles: TestBundles;
  fromVersion: string;
  /** Reads something the household stored before the update (it must read the same after). */
  household: () => Promise<unknown>;
}): Promise<void> {
  const { vm, hub, session, bundles, fromVersion } = opts;
  const finalWithinMs = 900_000 * vm.slow;
  const householdBefore = await opts.household();

  // 1. A bundle signed by a stranger's key.
  let startedMs = Date.now();
  const bad = await hub.uploadBundle(session(), bundles.badSignature.file);
  check("the app takes an admin's bundle upload (202)", bad, bad.status === 202);
  if (bad.status !== 202) throw new Error(`the upload was refused: ${bad.status} ${bad.body}`);
  const badId = (JSON.parse(bad.body) as { id?: string }).id;
  const refused = await hub.waitUpdateFinal(session, finalWithinMs, badId);
  report('update', {
    bundle: 'bad-signature',
    seconds: seconds(Date.now() - startedMs),
    states: refused.seen,
  });
  check(
    'a bundle signed by another key is refused (bad-signature)',
    refused.final,
    refused.final.state === 'refused' && refused.final.code === 'bad-signature',
  );
  check(
    'after the refusal the same release runs',
    await currentRelease(vm),
    (await currentRelease(vm)) === `releases/${fromVersion}`,
  );
  check(
    'the inbox is empty after the refusal',
    await vm.sh('ls -A /data/app/inbox'),
    (await vm.sh('ls -A /data/app/inbox')) === '',
  );

  // 2. A release that crashes at start: installed, never ready, rolled back.
  startedMs = Date.now();
  const broken = await hub.uploadBundle(session(), bundles.broken.file);
  if (broken.status !== 202) throw new Error(`the upload was refused: ${broken.status} ${broken.body}`);
  const brokenId = (JSON.parse(broken.body) as { id?: string }).id;
  const rolledBack = await hub.waitUpdateFinal(session, finalWithinMs, brokenId);
  report('update', { bundle: 'broken', seconds: seconds(Date.now() - startedMs), states: rolledBack.seen });
  check(
    'a release that never gets ready is rolled back, with the reason',
    rolledBack.final,
    rolledBack.final.state === 'rolled-back' &&
      rolledBack.final.version === bundles.broken.version &&
      typeof rolledBack.final.reason === 'string' &&
      rolledBack.final.reason.length > 0,
  );
  // hubd is stopped during the install, so the app misses the steps in between: the journal has them.
  const ran = await vm.sh('journalctl -u hubd --no-pager | grep -c "a deliberately broken release" || true');
  check('the broken release was switched to and started before the rollback', ran, Number(ran) > 0);
  report('rollback', { reason: rolledBack.final.reason });
  const release = await currentRelease(vm);
  check('after the rollback the previous release runs', release, release === `releases/${fromVersion}`);
  check('and the hub is ready', await vm.isReady(), await vm.isReady());
  const householdAfter = await opts.household();
  check(
    "the household's data is as it was before the failed update",
    { householdBefore, householdAfter },
    JSON.stringify(householdBefore) === JSON.stringify(householdAfter),
  );
  check(
    'the previous release is still in releases/',
    await vm.sh('ls /data/app/releases'),
    (await vm.sh('ls /data/app/releases')).split('\n').includes(fromVersion),
  );
}
