import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { layoutShellEnv, planLayout, rootPartitionBytes, type LayoutInput } from '../../../image/layout.js';

const MIB = 1024 * 1024;
const INPUT: LayoutInput = {
  diskId: '1a2b3c4d',
  bootMiB: 256,
  rootContentBytes: 700 * MIB,
  dataMiB: 256,
  dataFs: 'ext4',
  console: 'ttyS0',
};

describe('appliance image layout', () => {
  it('puts boot, root and data one after another on 4 MiB boundaries, root sized from its content', () => {
    const layout = planLayout(INPUT);
    const parts = layout.partitions.map(({ name, startBytes, sizeBytes, mbrType, partuuid }) => ({
      name,
      startMiB: startBytes / MIB,
      sizeMiB: sizeBytes / MIB,
      mbrType,
      partuuid,
    }));
    // root: 700 MiB * 1.15 + 64 = 869 MiB, rounded up to 872.
    assert.deepEqual(parts, [
      { name: 'boot', startMiB: 4, sizeMiB: 256, mbrType: 'c', partuuid: '1a2b3c4d-01' },
      { name: 'root', startMiB: 260, sizeMiB: 872, mbrType: '83', partuuid: '1a2b3c4d-02' },
      { name: 'data', startMiB: 1132, sizeMiB: 256, mbrType: '83', partuuid: '1a2b3c4d-03' },
    ]);
    assert.equal(layout.totalBytes, 1388 * MIB);
  });

  it('writes an MBR sfdisk script in sectors with the disk id and a bootable FAT partition', () => {
    assert.equal(
      planLayout(INPUT).sfdiskScript,
      [
        'label: dos',
        'label-id: 0x1a2b3c4d',
        'unit: sectors',
        '',
        'start=8192, size=524288, type=c, bootable',
        'start=532480, size=1785856, type=83',
        'start=2318336, size=524288, type=83',
        '',
      ].join('\n'),
    );
  });

  it('mounts root and boot read-only, /data with noatime and a 60 s ext4 commit, /tmp and /var/log in RAM', () => {
    const rows = planLayout(INPUT)
      .fstab.split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('\t'));
    assert.deepEqual(rows, [
      ['PARTUUID=1a2b3c4d-02', '/', 'ext4', 'defaults,noatime,ro', '0', '1'],
      ['PARTUUID=1a2b3c4d-01', '/boot/firmware', 'vfat', 'defaults,noatime,ro,umask=0077', '0', '2'],
      ['PARTUUID=1a2b3c4d-03', '/data', 'ext4', 'defaults,noatime,nosuid,nodev,commit=60', '0', '2'],
      ['tmpfs', '/tmp', 'tmpfs', 'nodev,nosuid,size=64M,mode=1777', '0', '0'],
      ['tmpfs', '/var/tmp', 'tmpfs', 'nodev,nosuid,size=16M,mode=1777', '0', '0'],
      ['tmpfs', '/var/log', 'tmpfs', 'nodev,nosuid,noexec,size=32M,mode=0755', '0', '0'],
    ]);
  });

  it('gives an ext2 data partition no commit option (ext2 has no journal)', () => {
    const dataRow = planLayout({ ...INPUT, dataFs: 'ext2' })
      .fstab.split('\n')
      .find((line) => line.includes('\t/data\t'));
    assert.equal(dataRow, 'PARTUUID=1a2b3c4d-03\t/data\text2\tdefaults,noatime,nosuid,nodev\t0\t2');
  });

  it('boots the root by PARTUUID under a RAM overlay that leaves /data alone', () => {
    assert.equal(
      planLayout(INPUT).cmdline,
      'root=PARTUUID=1a2b3c4d-02 rootfstype=ext4 ro rootwait overlayroot=tmpfs:recurse=0 console=ttyS0 panic=10',
    );
  });

  it('gives image/build byte offsets to source', () => {
    const env = layoutShellEnv(planLayout(INPUT));
    assert.match(env, /^TOTAL_BYTES=1455423488$/m);
    assert.match(env, /^DATA_START_BYTES=1186988032$/m);
    assert.match(env, /^ROOT_PARTUUID=1a2b3c4d-02$/m);
  });

  it('refuses a disk id the kernel cannot use and partitions too small to hold anything', () => {
    assert.throws(() => planLayout({ ...INPUT, diskId: '00000000' }), /means "none"/);
    assert.throws(() => planLayout({ ...INPUT, diskId: '1A2B3C4D' }), /8 lowercase hex/);
    assert.throws(
      () => planLayout({ ...INPUT, dataMiB: 8 }),
      /dataMiB must be a whole number of MiB, at least 32/,
    );
    assert.throws(() => rootPartitionBytes(0), /rootContentBytes must be > 0/);
  });
});
