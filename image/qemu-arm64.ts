// The qemu-system-aarch64 command line for image/boot-test-arm64.ts. QEMU's virt board stands in
// for the Pi: its serial port is a PL011 (ttyAMA0), its disk and network are virtio-pci, which
// Debian's arm64 initramfs carries (MODULES=most). The image's disk is used read-only with
// snapshot=on: the guest's writes (/data, the grown partition table) go to a temporary file.
/** The Pi's cmdline.txt made fit for QEMU virt: the console on ttyAMA0 and the test shell on. */
export function virtCmdline(piCmdline: string): string {
  const words = piCmdline
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '' && !w.startsWith('console='));
  if (!words.some((w) => w.startsWith('root='))) throw new Error(`cmdline has no root=: ${piCmdline}`);
  return [...words, 'console=ttyAMA0', 'hub.testshell=1'].join(' ');
}

export interface Arm64VmOptions {
  image: string;
  kernel: string;
  initrd: string;
  cmdline: string;
  /** Loopback port forwarded to the guest's port 80. */
  port: number;
  consoleLog: string;
  /** Unix socket of the guest's test shell (hub-testshell.service on virtio-serial "hub.test"). */
  shellSock: string;
  smp: number;
}

export function qemuArgs(o: Arm64VmOptions): string[] {
  return [
    ...['-M', 'virt', '-cpu', 'cortex-a72', '-accel', 'tcg,thread=multi', '-smp', String(o.smp)],
    // 1 GiB: a Pi 3's memory, the smallest board the image targets.
    ...['-m', '1024', '-display', 'none', '-no-user-config', '-nodefaults'],
    ...['-kernel', o.kernel, '-initrd', o.initrd, '-append', o.cmdline],
    ...['-drive', `file=${o.image},format=raw,if=none,id=disk0,snapshot=on`],
    ...['-device', 'virtio-blk-pci,drive=disk0'],
    ...[
      '-netdev',
      `user,id=net0,hostfwd=tcp:127.0.0.1:${o.port}-:80`,
      '-device',
      'virtio-net-pci,netdev=net0',
    ],
    ...['-serial', `file:${o.consoleLog}`],
    ...['-chardev', `socket,id=shell,path=${o.shellSock},server=on,wait=off`],
    ...['-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=shell,name=hub.test'],
  ];
}
