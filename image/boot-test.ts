// npm run test:image (scripts/test-image): boots the amd64 appliance image under QEMU and checks it
// as a householder's hub would behave: the hub ready on port 80, a read-only root, /data kept across
// a reboot, hubd back after kill -9. Prints JSON lines with the figures (boot-to-ready, image size,
// bytes written to the disk while idle).
//   boot-test.ts --image DIR/hub-amd64.img [--idle-s 600] [--accel auto|kvm|tcg] [--grow-mib 1024]
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GuestShell, Qmp, parseBlockstats, sleepMs } from './qemu-control.js';

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
const haveKvm = existsSync('/dev/kvm');
const accel = values.accel === 'auto' ? (haveKvm ? 'kvm' : 'tcg') : values.accel;
if (accel === 'kvm' && !haveKvm)
  fail('no /dev/kvm on this machine: run with --accel tcg (slow) or on a KVM host');
if (accel === 'tcg')
  report('note', { message: 'no KVM: QEMU emulates the CPU (TCG); times are several times a real boot' });
const slow = accel === 'tcg' ? 4 : 1;
const imageDir = dirname(image);
for (const f of [
  image,
  join(imageDir, 'vmlinuz'),
  join(imageDir, 'initrd.img'),
  join(imageDir, 'cmdline.txt'),
])
  if (!existsSync(f)) fail(`${f} is missing: run image/build first`);

const dir = mkdtempSync(join(tmpdir(), 'hub-image-test-'));
const disk = join(dir, 'disk.img');
let qemu: ReturnType<typeof spawn> | undefined;
let qmp: Qmp | undefined;
let shell: GuestShell | undefined;

async function main(): Promise<void> {
  const st = statSync(image);
  report('image', { file: image, sizeBytes: st.size, allocatedBytes: st.blocks * 512 });
  // A copy, grown as a bigger SD card would be: the first boot must grow /data into the space.
  copyFileSync(image, disk);
  truncateSync(disk, st.size + Number(values['grow-mib']) * 1024 * 1024);
  const port = await freePort();
  const cmdline = `${readFileSync(join(imageDir, 'cmdline.txt'), 'utf8').trim()} hub.testshell=1`;
  const startedMs = Date.now();
  qemu = spawn(
    'qemu-system-x86_64',
    [
      ...['-accel', accel, '-m', '1024', '-smp', '2', '-display', 'none', '-no-user-config', '-nodefaults'],
      ...['-kernel', join(imageDir, 'vmlinuz'), '-initrd', join(imageDir, 'initrd.img'), '-append', cmdline],
      ...['-drive', `file=${disk},format=raw,if=none,id=disk0,cache=writeback`],
      ...['-device', 'virtio-blk-pci,drive=disk0'],
      ...[
        '-netdev',
        `user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:80`,
        '-device',
        'virtio-net-pci,netdev=net0',
      ],
      ...['-serial', `file:${join(dir, 'console.log')}`],
      ...['-qmp', `unix:${join(dir, 'qmp.sock')},server=on,wait=off`],
      ...['-chardev', `socket,id=shell,path=${join(dir, 'shell.sock')},server=on,wait=off`],
      ...['-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=shell,name=hub.test'],
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  qemu.on('exit', (code) => {
    if (!stopping) fail(`qemu exited (${code}) during the test; console: ${join(dir, 'console.log')}`);
  });
  qmp = await Qmp.open(join(dir, 'qmp.sock'));
  shell = await GuestShell.open(join(dir, 'shell.sock'));
  const url = `http://127.0.0.1:${port}/readyz`;

  await waitReady(url, 300_000 * slow);
  report('boot', { bootToReadyS: seconds(Date.now() - startedMs), accel });
  await waitShell();

  // The root: an overlay whose lower layer is the ext4 root mounted read-only.
  check('/ is an overlay', await sh('findmnt -n -o FSTYPE /'), (out) => out === 'overlay');
  check('the root partition is mounted ro', await sh('findmnt -n -o OPTIONS /media/root-ro'), (out) =>
    out.split(',').includes('ro'),
  );
  const write = await shell.run('touch /media/root-ro/etc/hub-test-write');
  check(
    'a write to the root partition fails',
    write.out,
    () => write.code !== 0 && /read-only/i.test(write.out),
  );
  await sh('echo overlay-only > /etc/hub-test-overlay');
  check('hostname', await sh('hostname'), (out) => out === 'hub');
  check(
    'journald keeps its journal in RAM',
    await sh('ls -d /run/log/journal /var/log/journal 2>&1; true'),
    (out) => out.includes('/run/log/journal') && /cannot access '\/var\/log\/journal'/.test(out),
  );
  check(
    '/tmp and /var/log are tmpfs',
    await sh('findmnt -n -o FSTYPE /tmp; findmnt -n -o FSTYPE /var/log'),
    (out) => out.split('\n').every((t) => t === 'tmpfs'),
  );
  const dataSize = await sh('findmnt -n -o FSTYPE,OPTIONS /data; df --output=size -B1M /data | tail -1');
  check('/data is the data partition, noatime, grown at first boot', dataSize, (out) => {
    const sizeMiB = Number(out.split('\n')[1]?.trim());
    return /noatime/.test(out) && sizeMiB > 1000;
  });
  check(
    'hubd runs as hub, port 80 without root',
    await sh('ps -o user= -p "$(systemctl show -p MainPID --value hubd)"'),
    (out) => out === 'hub',
  );
  check(
    'the factory release is current',
    await sh('readlink /data/app/current; readlink -f /data/app/current'),
    (out) => /^releases\/[^/\n]+\n\/opt\/hub$/.test(out),
  );
  const token = `persist-${process.pid}-${startedMs}`;
  await sh(`echo ${token} > /data/hub-test-persist && sync`);

  // kill -9: systemd restarts hubd and it is ready again.
  const pid = await sh('systemctl show -p MainPID --value hubd');
  const killedMs = Date.now();
  await sh(`kill -9 ${pid}`);
  await waitFor('hubd restarted', 120_000 * slow, async () => {
    const now = await sh('systemctl show -p MainPID --value hubd');
    return now !== pid && now !== '0';
  });
  await waitReady(url, 120_000 * slow);
  report('restart', { killedPid: Number(pid), killToReadyS: seconds(Date.now() - killedMs) });

  // Idle: what the hub writes to the card while nothing happens.
  const before = await diskWrites();
  await sleepMs(idleS * 1000);
  const after = await diskWrites();
  report('idle', {
    idleS,
    diskWrittenBytes: after.qmp.wrBytes - before.qmp.wrBytes,
    diskWriteOps: after.qmp.wrOps - before.qmp.wrOps,
    dataPartitionWrittenBytes: after.dataBytes - before.dataBytes,
    bytesPerDay: Math.round(((after.qmp.wrBytes - before.qmp.wrBytes) / idleS) * 86_400),
  });

  // Reboot: /data keeps what was written, the overlay forgets.
  shell.send('systemctl reboot');
  await waitFor('the hub went down for the reboot', 120_000 * slow, async () => !(await isReady(url)));
  const rebootMs = Date.now();
  await waitReady(url, 300_000 * slow);
  report('reboot', { rebootToReadyS: seconds(Date.now() - rebootMs) });
  await waitShell();
  check('/data survived the reboot', await sh('cat /data/hub-test-persist'), (out) => out === token);
  check('the hub database is on /data', await sh('ls /data/hub'), (out) => /hub\.db/.test(out));
  check(
    'what was written to / did not',
    await sh('test -e /etc/hub-test-overlay && echo kept || echo gone'),
    (out) => out === 'gone',
  );
  check(
    'the first-boot unit did not run again',
    await sh('systemctl show -p ConditionResult --value hub-firstboot'),
    (out) => out === 'no',
  );
  report('result', { ok: failures === 0, failures });
}

let failures = 0;
let stopping = false;

function check(name: string, observed: string, ok: (out: string) => boolean): void {
  const passed = ok(observed);
  if (!passed) failures++;
  report('check', { name, ok: passed, ...(passed ? {} : { observed }) });
}

async function sh(command: string): Promise<string> {
  const result = await shell!.run(command);
  if (result.code !== 0) throw new Error(`guest: ${command} exited ${result.code}: ${result.out}`);
  return result.out;
}

async function waitShell(): Promise<void> {
  await waitFor('the guest test shell', 120_000 * slow, async () => {
    try {
      return (await shell!.run('echo ok', 3000)).out === 'ok';
    } catch {
      return false;
    }
  });
}

async function diskWrites(): Promise<{ qmp: { wrBytes: number; wrOps: number }; dataBytes: number }> {
  const stats = parseBlockstats(await qmp!.execute('query-blockstats'), 'disk0');
  // /sys/class/block/<part>/stat field 7: sectors written to the data partition alone.
  const part = await sh('basename "$(readlink -f "$(findmnt -n -o SOURCE /data)")"');
  const fields = (await sh(`cat /sys/class/block/${part}/stat`)).trim().split(/\s+/);
  return { qmp: stats, dataBytes: Number(fields[6]) * 512 };
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  await waitFor(`${url} answering 200`, timeoutMs, () => isReady(url));
}

async function waitFor(what: string, timeoutMs: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds(timeoutMs)} s waiting for ${what}`);
    await sleepMs(1000);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function report(kind: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ kind, ...fields })}\n`);
}

function cleanUp(): void {
  stopping = true;
  shell?.close();
  qmp?.close();
  if (qemu && qemu.exitCode === null) qemu.kill('SIGKILL');
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
    process.exit(failures === 0 ? 0 : 1);
  },
  (err: unknown) => fail(err instanceof Error ? err.message : String(err)),
);
