// One appliance under QEMU for scripts/test-image: a copy of the image grown like a bigger SD
// card, the hub's port 80 forwarded to a loopback port, a QMP socket for the disk's counters and a
// root shell on a virtio-serial port (hub-testshell.service, only with hub.testshell=1).
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { GuestShell, Qmp, parseBlockstats, sleepMs } from './qemu-control.js';

export interface VmOptions {
  image: string;
  /** A folder of the test's own: the disk copy, the console log and the sockets go there. */
  dir: string;
  name: string;
  accel: string;
  growMiB: number;
  /** Called when QEMU exits while the test did not stop it. */
  onUnexpectedExit: (message: string) => void;
}

export class Vm {
  stopping = false;
  readonly bootStartedMs = Date.now();

  private constructor(
    readonly name: string,
    readonly port: number,
    readonly consoleLog: string,
    private readonly qemu: ChildProcess,
    readonly qmp: Qmp,
    readonly shell: GuestShell,
    /** Multiplies waits: 4 under TCG. */
    readonly slow: number,
  ) {}

  static async boot(opts: VmOptions): Promise<Vm> {
    const imageDir = dirname(opts.image);
    const disk = join(opts.dir, `${opts.name}.img`);
    copyFileSync(opts.image, disk);
    truncateSync(disk, statSync(opts.image).size + opts.growMiB * 1024 * 1024);
    const port = await freePort();
    const cmdline = `${readFileSync(join(imageDir, 'cmdline.txt'), 'utf8').trim()} hub.testshell=1`;
    const sock = (what: string) => join(opts.dir, `${opts.name}-${what}.sock`);
    const consoleLog = join(opts.dir, `${opts.name}-console.log`);
    const qemu = spawn(
      'qemu-system-x86_64',
      [
        ...[
          '-accel',
          opts.accel,
          '-m',
          '1024',
          '-smp',
          '2',
          '-display',
          'none',
          '-no-user-config',
          '-nodefaults',
        ],
        ...[
          '-kernel',
          join(imageDir, 'vmlinuz'),
          '-initrd',
          join(imageDir, 'initrd.img'),
          '-append',
          cmdline,
        ],
        ...['-drive', `file=${disk},format=raw,if=none,id=disk0,cache=writeback`],
        ...['-device', 'virtio-blk-pci,drive=disk0'],
        // 10.0.2.2 in the guest is the host's loopback: the test's server and bundle host.
        ...[
          '-netdev',
          `user,id=net0,hostfwd=tcp:127.0.0.1:${port}-:80`,
          '-device',
          'virtio-net-pci,netdev=net0',
        ],
        ...['-serial', `file:${consoleLog}`],
        ...['-qmp', `unix:${sock('qmp')},server=on,wait=off`],
        ...['-chardev', `socket,id=shell,path=${sock('shell')},server=on,wait=off`],
        ...['-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=shell,name=hub.test'],
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const qmp = await Qmp.open(sock('qmp'));
    const shell = await GuestShell.open(sock('shell'));
    const vm = new Vm(opts.name, port, consoleLog, qemu, qmp, shell, opts.accel === 'tcg' ? 4 : 1);
    qemu.on('exit', (code) => {
      if (!vm.stopping) opts.onUnexpectedExit(`qemu ${opts.name} exited (${code}); console: ${consoleLog}`);
    });
    return vm;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Runs a command in the guest; throws unless it exits 0. */
  async sh(command: string, timeoutMs = 60_000): Promise<string> {
    const result = await this.shell.run(command, timeoutMs);
    if (result.code !== 0)
      throw new Error(`guest ${this.name}: ${command} exited ${result.code}: ${result.out}`);
    return result.out;
  }

  async waitShell(): Promise<void> {
    await waitFor(`the ${this.name} test shell`, 120_000 * this.slow, async () => {
      try {
        return (await this.shell.run('echo ok', 3000)).out === 'ok';
      } catch {
        return false;
      }
    });
  }

  async isReady(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async waitReady(timeoutMs: number): Promise<void> {
    await waitFor(`${this.name} /readyz answering 200`, timeoutMs, () => this.isReady());
  }

  /** The virtual disk's own write counters (QMP) and the data partition's (the guest's sysfs). */
  async diskWrites(): Promise<{ qmp: { wrBytes: number; wrOps: number }; dataBytes: number }> {
    const stats = parseBlockstats(await this.qmp.execute('query-blockstats'), 'disk0');
    const part = await this.sh('basename "$(readlink -f "$(findmnt -n -o SOURCE /data)")"');
    const fields = (await this.sh(`cat /sys/class/block/${part}/stat`)).trim().split(/\s+/);
    return { qmp: stats, dataBytes: Number(fields[6]) * 512 };
  }

  close(): void {
    this.stopping = true;
    this.shell.close();
    this.qmp.close();
    if (this.qemu.exitCode === null) this.qemu.kill('SIGKILL');
  }
}

export async function waitFor(what: string, timeoutMs: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleepMs(1000);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
