// npm run test:image (scripts/test-image): boots the amd64 appliance image under QEMU and checks it
// as a householder's hub would behave: ready on port 80, a read-only root, /data kept across a
// reboot, hubd back after kill -9 and after a hang (the watchdog), updates from the app and from
// the server (refused, rolled back, installed), the card's writes while 20 feeds are fed at 10 s,
// and a backup restored on a second appliance. Prints JSON lines with the figures.
//   boot-test.ts --image DIR/hub-amd64.img [--idle-s 600] [--accel auto|kvm|tcg] [--grow-mib 1024]
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FileServer } from './file-server.js';
import { GuestHub, type Session } from './guest-hub.js';
import { appUpdates, currentRelease } from './phase-updates.js';
import { remoteUpdate } from './phase-remote.js';
import { restoreOnAnotherImage, type TakenBackup } from './phase-restore.js';
import { sleepMs } from './qemu-control.js';
import { check, report, results, seconds } from './report.js';
import { makeTestBundles, testKeys } from './update-fixtures.js';
import { Vm, waitFor } from './vm.js';

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    'idle-s': { type: 'string', default: '600' },
    accel: { type: 'string', default: 'auto' },
    'grow-mib': { type: 'string', default: '1024' },
    'keep-dir': { type: 'boolean', default: false },
  },
});
const image = values.image ?? '/var/tmp/energy-hub-image/hub-amd64.img';
const idleS = Number(values['idle-s']);
const FEEDS = 20;
const FEED_INTERVAL_S = 10;
const haveKvm = existsSync('/dev/kvm');
const accel = values.accel === 'auto' ? (haveKvm ? 'kvm' : 'tcg') : values.accel!;
if (accel === 'kvm' && !haveKvm)
  fail('no /dev/kvm on this machine: run with --accel tcg (slow) or on a KVM host');
if (accel === 'tcg')
  report('note', { message: 'no KVM: QEMU emulates the CPU (TCG); times are several times a real boot' });
const imageDir = dirname(image);
for (const f of [
  image,
  join(imageDir, 'vmlinuz'),
  join(imageDir, 'initrd.img'),
  join(imageDir, 'cmdline.txt'),
])
  if (!existsSync(f)) fail(`${f} is missing: run image/build first`);
const repo = join(import.meta.dirname, '..');
const imageVersion = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string })
  .version;

const dir = mkdtempSync(join(tmpdir(), 'hub-image-test-'));
const vms: Vm[] = [];
let files: FileServer | undefined;
let stopRemote: (() => Promise<void>) | undefined;

function boot(name: string): Promise<Vm> {
  return Vm.boot({
    image,
    dir,
    name,
    accel,
    growMiB: Number(values['grow-mib']),
    onUnexpectedExit: (message) => fail(message),
  }).then((vm) => (vms.push(vm), vm));
}

async function main(): Promise<void> {
  const st = statSync(image);
  report('image', { file: image, sizeBytes: st.size, allocatedBytes: st.blocks * 512 });
  const keys = testKeys(join(imageDir, 'test-keys'));
  const bundles = makeTestBundles(join(dir, 'bundles'), keys, imageVersion);
  report('bundles', {
    good: { version: bundles.good.version, bytes: statSync(bundles.good.file).size },
    broken: bundles.broken.version,
    badSignature: bundles.badSignature.version,
  });
  files = await FileServer.start({
    '/good.bundle': bundles.good.file,
    '/backup.tar.gz': join(dir, 'backup.tar.gz'),
  });

  const vm = await boot('a');
  await vm.waitReady(300_000 * vm.slow);
  report('boot', { bootToReadyS: seconds(Date.now() - vm.bootStartedMs), accel });
  await vm.waitShell();
  await systemChecks(vm);

  // The householder's first visit, and a meter's 20 feeds.
  const hub = new GuestHub(() => vm.baseUrl);
  const admin = { username: 'householder', password: randomBytes(12).toString('base64url') };
  let session: Session = await hub.onboard(admin.username, admin.password);
  const writeKey = await hub.writeKey(session);
  const feedIds = await hub.setUpFeeds(writeKey, FEEDS);
  await sleepMs(FEED_INTERVAL_S * 1000);
  await hub.postReadings(writeKey, FEEDS, 1);
  const household = async () =>
    Promise.all(feedIds.map(async (id) => ({ id, value: await hub.feedValue(writeKey, id) })));

  const token = `persist-${process.pid}-${vm.bootStartedMs}`;
  await vm.sh(`echo ${token} > /data/hub-test-persist && sync`);
  await restartChecks(vm);

  // A backup for the second appliance, taken before the updates (a restore takes no newer hub's).
  const backupBytes = await hub.downloadBackup(session, join(dir, 'backup.tar.gz'));
  const backup: TakenBackup = {
    path: '/backup.tar.gz',
    bytes: backupBytes,
    admin,
    feeds: await household(),
    caSha256: await vm.sh('sha256sum /data/hub/tls/ca.crt | cut -c1-64'),
  };
  report('backup', { bytes: backupBytes });

  await appUpdates({ vm, hub, session: () => session, bundles, fromVersion: imageVersion, household });
  const remote = await remoteUpdate({
    vm,
    files,
    keys,
    bundle: bundles.good,
    fromVersion: imageVersion,
    household,
  });
  stopRemote = remote.stop;
  session = await hub.signIn(admin.username, admin.password);

  // Idle: what the card gets while the hub only stores 20 feeds at 10 s. What the update left
  // (the old releases' removal sits in ext4's journal up to commit=60 s) is synced first.
  await vm.sh('sync');
  await sleepMs(5000);
  const before = await vm.diskWrites();
  const idleStartedMs = Date.now();
  let posts = 0;
  for (let step = 2; Date.now() - idleStartedMs < idleS * 1000; step++) {
    const nextMs = idleStartedMs + (step - 1) * FEED_INTERVAL_S * 1000;
    await hub.postReadings(writeKey, FEEDS, step);
    posts++;
    await sleepMs(Math.max(0, nextMs - Date.now()));
  }
  const after = await vm.diskWrites();
  const idleMs = Date.now() - idleStartedMs;
  report('idle', {
    idleS: seconds(idleMs),
    feeds: FEEDS,
    intervalS: FEED_INTERVAL_S,
    posts,
    diskWrittenBytes: after.qmp.wrBytes - before.qmp.wrBytes,
    diskWriteOps: after.qmp.wrOps - before.qmp.wrOps,
    dataPartitionWrittenBytes: after.dataBytes - before.dataBytes,
    bytesPerDay: Math.round(((after.qmp.wrBytes - before.qmp.wrBytes) / idleMs) * 86_400_000),
  });

  // Reboot: /data keeps what was written (and the update), the overlay forgets.
  const machineId = await vm.sh('cat /etc/machine-id');
  await vm.sh(`logger -p user.warning "hub-test-warning ${token}"`);
  await waitFor(
    'the warning kept on /data',
    60_000 * vm.slow,
    async () =>
      (await vm.shell.run(`grep -c "hub-test-warning ${token}" /data/log/warnings.log`)).out === '1',
  );
  vm.shell.send('systemctl reboot');
  await waitFor('the hub went down for the reboot', 120_000 * vm.slow, async () => !(await vm.isReady()));
  const rebootMs = Date.now();
  await vm.waitReady(300_000 * vm.slow);
  report('reboot', { rebootToReadyS: seconds(Date.now() - rebootMs) });
  await vm.waitShell();
  check(
    '/data survived the reboot',
    await vm.sh('cat /data/hub-test-persist'),
    (await vm.sh('cat /data/hub-test-persist')) === token,
  );
  check(
    'the hub database is on /data',
    await vm.sh('ls /data/hub'),
    /hub\.db/.test(await vm.sh('ls /data/hub')),
  );
  const overlay = await vm.sh('test -e /etc/hub-test-overlay && echo kept || echo gone');
  check('what was written to / did not', overlay, overlay === 'gone');
  const firstboot = await vm.sh('systemctl show -p ConditionResult --value hub-firstboot');
  check('the first-boot unit did not run again', firstboot, firstboot === 'no');
  const release = await currentRelease(vm);
  check(
    'the updated release still runs after the reboot',
    release,
    release === `releases/${bundles.good.version}`,
  );
  const idAfter = await vm.sh('cat /etc/machine-id');
  check(
    'the machine-id (and so the DHCP identity) is the same after the reboot',
    { machineId, idAfter },
    idAfter === machineId,
  );
  const warnings = await vm.sh(`grep -c "hub-test-warning ${token}" /data/log/warnings.log || true`);
  check('a warning logged before the reboot is still on /data', warnings, warnings === '1');
  await stopRemote();
  stopRemote = undefined;
  vm.close();

  await restoreOnAnotherImage({ bootFresh: () => boot('b'), files, backup });
  report('result', { ok: results.failures === 0, failures: results.failures });
}

/** The appliance as built: read-only root, RAM journal, /data, the hub's user, units, DNS. */
async function systemChecks(vm: Vm): Promise<void> {
  const sh = (cmd: string) => vm.sh(cmd);
  check(
    '/ is an overlay',
    await sh('findmnt -n -o FSTYPE /'),
    (await sh('findmnt -n -o FSTYPE /')) === 'overlay',
  );
  const ro = await sh('findmnt -n -o OPTIONS /media/root-ro');
  check('the root partition is mounted ro', ro, ro.split(',').includes('ro'));
  const write = await vm.shell.run('touch /media/root-ro/etc/hub-test-write');
  check('a write to the root partition fails', write.out, write.code !== 0 && /read-only/i.test(write.out));
  await sh('echo overlay-only > /etc/hub-test-overlay');
  check('hostname', await sh('hostname'), (await sh('hostname')) === 'hub');
  const journal = await sh('ls -d /run/log/journal /var/log/journal 2>&1; true');
  check(
    'journald keeps its journal in RAM',
    journal,
    journal.includes('/run/log/journal') && /cannot access '\/var\/log\/journal'/.test(journal),
  );
  const tmpfs = await sh('findmnt -n -o FSTYPE /tmp; findmnt -n -o FSTYPE /var/log');
  check(
    '/tmp and /var/log are tmpfs',
    tmpfs,
    tmpfs.split('\n').every((t) => t === 'tmpfs'),
  );
  const data = await sh('findmnt -n -o FSTYPE,OPTIONS /data; df --output=size -B1M /data | tail -1');
  check(
    '/data is the data partition, noatime, grown at first boot',
    data,
    /noatime/.test(data) && Number(data.split('\n')[1]?.trim()) > 1000,
  );
  const user = await sh('ps -o user= -p "$(systemctl show -p MainPID --value hubd)"');
  check('hubd runs as hub, port 80 without root', user, user === 'hub');
  const unit = await sh('systemctl show -p Type -p WatchdogUSec -p NotifyAccess hubd');
  check(
    'hubd.service is Type=notify with a watchdog',
    unit,
    /Type=notify/.test(unit) && /WatchdogUSec=1min/.test(unit),
  );
  const factory = await sh('readlink /data/app/current; readlink -f /data/app/current');
  check('the factory release is current', factory, factory === `releases/${imageVersion}\n/opt/hub`);
  const resolv = await sh('readlink /etc/resolv.conf; resolvectl dns 2>&1 | head -3');
  check(
    'DNS through systemd-resolved, from DHCP',
    resolv,
    /stub-resolv\.conf/.test(resolv) && /10\.0\.2\.3/.test(resolv),
  );
  const ids = await sh('cat /etc/machine-id /data/system/machine-id');
  const [etcId, keptId] = ids.split('\n');
  check('the machine-id is kept on /data', ids, /^[0-9a-f]{32}$/.test(etcId ?? '') && etcId === keptId);
  const units = await sh(
    'systemctl is-enabled hub-updater.path hub-updater-recover.service hub-warnings.service',
  );
  check(
    'hub-updater.path, its boot recovery and the warnings keeper are enabled',
    units,
    units.split('\n').every((s) => s === 'enabled'),
  );
}

/** kill -9, then a hang: systemd restarts hubd both times (the second through the watchdog). */
async function restartChecks(vm: Vm): Promise<void> {
  const mainPid = () => vm.sh('systemctl show -p MainPID --value hubd');
  const restarted = async (what: string, signal: string, withinMs: number) => {
    const pid = await mainPid();
    const startedMs = Date.now();
    await vm.sh(`kill -${signal} ${pid}`);
    await waitFor(`hubd restarted after ${what}`, withinMs, async () => {
      const now = await mainPid();
      return now !== pid && now !== '0';
    });
    await vm.waitReady(120_000 * vm.slow);
    return { pid: Number(pid), toReadyS: seconds(Date.now() - startedMs) };
  };
  const killed = await restarted('kill -9', '9', 120_000 * vm.slow);
  report('restart', { killedPid: killed.pid, killToReadyS: killed.toReadyS });
  // SIGSTOP: the process lives but feeds nothing; WatchdogSec=60 must end it.
  const hung = await restarted('a hang', 'STOP', 60_000 + 120_000 * vm.slow);
  report('watchdog', { stoppedPid: hung.pid, hangToReadyS: hung.toReadyS });
  const log = await vm.sh('journalctl -u hubd --no-pager | grep -ci watchdog || true');
  check('the hang was ended by the watchdog', log, Number(log) > 0);
}

function cleanUp(): void {
  for (const vm of vms) vm.close();
  void stopRemote?.();
  void files?.close();
  if (!values['keep-dir']) rmSync(dir, { recursive: true, force: true });
}

function fail(message: string): never {
  process.stderr.write(`test-image: ${message}\n`);
  cleanUp();
  process.exit(1);
}

main().then(
  () => {
    cleanUp();
    process.exit(results.failures === 0 ? 0 : 1);
  },
  (err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
