// scripts/test-image-arm64: boots the arm64 appliance image under qemu-system-aarch64 (-M virt,
// Cortex-A72, fully emulated: no KVM for arm64 on an x86 host) with the kernel and initramfs from
// the image, and checks what the Pi would do at first boot: /readyz through port forwarding, a
// read-only root under the RAM overlay, hubd as the hub user on arm64 Node. Not a Pi: QEMU's virt
// board has no Pi firmware, device tree or SD controller (README, "The arm64 image").
// Prints JSON lines: one per figure or check, and a summary; exits 1 when a check failed.
//   boot-test-arm64.ts --image DIR/hub-arm64.img [--timeout-s 3600] [--smp 2]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { GuestShell, sleepMs } from './qemu-control.js';
import { qemuArgs, virtCmdline } from './qemu-arm64.js';
import { freePort } from './vm.js';

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    'timeout-s': { type: 'string', default: '3600' },
    smp: { type: 'string', default: '2' },
  },
});
const image = values.image;
if (!image || !existsSync(image)) {
  console.error(
    'boot-test-arm64: --image DIR/hub-arm64.img is required (scripts/test-image-arm64 builds it)',
  );
  process.exit(2);
}
const timeoutMs = Number(values['timeout-s']) * 1000;
const imageDir = dirname(image);
let failures = 0;

function report(kind: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ kind, ...fields })}\n`);
}
function check(name: string, observed: string, ok: boolean): void {
  if (!ok) failures++;
  report('check', { name, ok, ...(ok ? {} : { observed }) });
}
const seconds = (ms: number) => Math.round(ms / 100) / 10;

const dir = mkdtempSync(join(tmpdir(), 'hub-arm64-boot-'));
const port = await freePort();
const consoleLog = join(dir, 'console.log');
const shellSock = join(dir, 'shell.sock');
const cmdline = virtCmdline(readFileSync(join(imageDir, 'cmdline.txt'), 'utf8'));
const args = qemuArgs({
  image,
  kernel: join(imageDir, 'vmlinuz'),
  initrd: join(imageDir, 'initrd.img'),
  cmdline,
  port,
  consoleLog,
  shellSock,
  smp: Number(values.smp),
});
const startedMs = Date.now();
const qemu = spawn('qemu-system-aarch64', args, { stdio: ['ignore', 'inherit', 'inherit'] });
let qemuExit: string | undefined;
qemu.on('exit', (code, signal) => (qemuExit = `qemu exited (${code ?? signal})`));
let shell: GuestShell | undefined;

try {
  report('boot', { arch: 'arm64', machine: 'virt', cpu: 'cortex-a72', accel: 'tcg', cmdline });
  await waitFor('/readyz answering 200', async () => (await readyz(port)) === 200);
  const readyMs = Date.now() - startedMs;
  report('figure', { name: 'boot to /readyz 200', seconds: seconds(readyMs), emulated: true });
  shell = await GuestShell.open(shellSock);
  const guest = shell;
  const sh = async (cmd: string) => (await guest.run(cmd, 120_000)).out;
  await waitFor('the test shell', async () => {
    try {
      return (await guest.run('echo ok', 5000)).out === 'ok';
    } catch {
      return false;
    }
  });
  const machine = await sh('uname -m');
  check('the guest is arm64', machine, machine === 'aarch64');
  const rootFs = await sh('findmnt -n -o FSTYPE /');
  check('/ is an overlay', rootFs, rootFs === 'overlay');
  const ro = await sh('findmnt -n -o OPTIONS /media/root-ro');
  check('the root partition is mounted ro', ro, ro.split(',').includes('ro'));
  const write = await guest.run('touch /media/root-ro/etc/hub-test-write', 60_000);
  check('a write to the root partition fails', write.out, write.code !== 0 && /read-only/i.test(write.out));
  const user = await sh('ps -o user= -p "$(systemctl show -p MainPID --value hubd)"');
  check('hubd runs as hub', user, user === 'hub');
  const node = await sh('/opt/hub/.tools/node/bin/node -p "process.version + \' \' + process.arch"');
  check('the pinned Node is the arm64 build', node, /^v\d+\.\d+\.\d+ arm64$/.test(node));
  const dataFs = await sh('findmnt -n -o FSTYPE /data');
  check('/data is mounted', dataFs, dataFs === 'ext4' || dataFs === 'ext2');
  const failed = await sh('systemctl --failed --no-legend --plain | cut -d" " -f1');
  check('no failed units', failed, failed === '');
  const bootTimes = await sh('systemd-analyze time 2>&1 | head -1');
  report('figure', { name: 'systemd-analyze', text: bootTimes });
} catch (err) {
  failures++;
  report('error', { message: (err as Error).message, console: consoleLog });
} finally {
  shell?.close();
  if (qemu.exitCode === null) qemu.kill('SIGKILL');
  await new Promise((resolve) => (qemu.exitCode === null ? qemu.once('exit', resolve) : resolve(null)));
  report('summary', { failures, console: failures ? consoleLog : undefined });
  if (!failures) rmSync(dir, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);

async function waitFor(what: string, test: () => Promise<boolean>): Promise<void> {
  const deadlineMs = startedMs + timeoutMs;
  while (!(await test())) {
    if (qemuExit) throw new Error(`${qemuExit} while waiting for ${what}`);
    if (Date.now() > deadlineMs)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleepMs(2000);
  }
}

async function readyz(hostPort: number): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${hostPort}/readyz`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
