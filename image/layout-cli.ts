// Writes the files image/layout.ts plans into a folder for image/build:
//   layout-cli.ts --out DIR --disk-id 1a2b3c4d --root-content-bytes N [--data-fs ext4|ext2]
//                 [--boot-mib 256] [--data-mib 256] [--console ttyS0]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { layoutShellEnv, planLayout, type DataFs } from './layout.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    'disk-id': { type: 'string' },
    'root-content-bytes': { type: 'string' },
    'data-fs': { type: 'string', default: 'ext4' },
    'boot-mib': { type: 'string', default: '256' },
    'data-mib': { type: 'string', default: '256' },
    console: { type: 'string', default: 'ttyS0' },
  },
});
const out = values.out;
if (!out || !values['disk-id'] || !values['root-content-bytes']) {
  process.stderr.write('layout-cli: --out, --disk-id and --root-content-bytes are required\n');
  process.exit(2);
}
const dataFs = values['data-fs'];
if (dataFs !== 'ext4' && dataFs !== 'ext2') {
  process.stderr.write(`layout-cli: --data-fs must be ext4 or ext2, not ${dataFs}\n`);
  process.exit(2);
}
const layout = planLayout({
  diskId: values['disk-id'],
  rootContentBytes: Number(values['root-content-bytes']),
  bootMiB: Number(values['boot-mib']),
  dataMiB: Number(values['data-mib']),
  dataFs: dataFs satisfies DataFs,
  console: values.console,
});
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'sfdisk.txt'), layout.sfdiskScript);
writeFileSync(join(out, 'fstab'), layout.fstab);
writeFileSync(join(out, 'cmdline.txt'), `${layout.cmdline}\n`);
writeFileSync(join(out, 'layout.env'), layoutShellEnv(layout));
