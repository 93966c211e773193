import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planLayout } from '../../../image/layout.js';
import { qemuArgs, virtCmdline } from '../../../image/qemu-arm64.js';

// What image/build writes for --arch arm64 (image/arch-arm64.sh: arm64_console).
const PI_CMDLINE = planLayout({
  diskId: '1a2b3c4d',
  bootMiB: 256,
  rootContentBytes: 900 * 1024 * 1024,
  dataMiB: 256,
  dataFs: 'ext4',
  console: 'ttyS1,115200 console=tty1',
}).cmdline;

describe('arm64 boot test under QEMU virt', () => {
  it('swaps both Pi consoles for the PL011 and keeps the root, overlay and panic settings', () => {
    assert.equal(
      virtCmdline(`${PI_CMDLINE}\n`),
      'root=PARTUUID=1a2b3c4d-02 rootfstype=ext4 ro rootwait overlayroot=tmpfs:recurse=0 panic=10 ' +
        'console=ttyAMA0 hub.testshell=1',
    );
  });

  it('refuses a cmdline.txt without a root (not one image/build wrote)', () => {
    assert.throws(() => virtCmdline('console=tty1 quiet'), /no root=/);
  });

  it('boots the image read-only (snapshot) with the kernel from the image and port 80 forwarded', () => {
    const args = qemuArgs({
      image: '/img/hub-arm64.img',
      kernel: '/img/vmlinuz',
      initrd: '/img/initrd.img',
      cmdline: 'root=PARTUUID=1a2b3c4d-02 console=ttyAMA0',
      port: 40123,
      consoleLog: '/t/console.log',
      shellSock: '/t/shell.sock',
      smp: 2,
    });
    const after = (flag: string) => args.filter((_, i) => args[i - 1] === flag);
    assert.deepEqual(after('-M'), ['virt']);
    assert.deepEqual(after('-cpu'), ['cortex-a72']);
    assert.deepEqual(after('-kernel'), ['/img/vmlinuz']);
    assert.deepEqual(after('-initrd'), ['/img/initrd.img']);
    assert.deepEqual(after('-drive'), ['file=/img/hub-arm64.img,format=raw,if=none,id=disk0,snapshot=on']);
    assert.deepEqual(after('-netdev'), ['user,id=net0,hostfwd=tcp:127.0.0.1:40123-:80']);
    assert.ok(args.includes('virtserialport,chardev=shell,name=hub.test'));
  });
});
