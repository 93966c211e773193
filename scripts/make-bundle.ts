// Update bundles on the build machine (docs/updates.md):
//   scripts/run-node --import tsx scripts/make-bundle.ts keygen <dir>
//   scripts/run-node --import tsx scripts/make-bundle.ts make --key <dir>/update-key.pem \
//       --release <folder> --version 1.2.0 --min-from 1.0.0 --out hub-1.2.0.bundle
// The release folder holds what hubd runs (dist/, package.json, node_modules/, node/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBundle } from '../src/updater/bundle-writer.fs.js';
import { writeUpdateKeys } from '../src/updater/bundle-writer.fs.js';
import { readPrivateKey } from '../src/updater/updater-deps.fs.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    key: { type: 'string' },
    release: { type: 'string' },
    version: { type: 'string' },
    'min-from': { type: 'string' },
    out: { type: 'string' },
  },
});

const [command, dir] = positionals;
if (command === 'keygen' && dir) {
  const files = writeUpdateKeys(dir);
  console.log(
    `private key ${files.privateKeyFile} (keep it off the hub), public key ${files.publicKeyFile} (into the image)`,
  );
} else if (command === 'make' && values.key && values.release && values['min-from'] && values.out) {
  const version =
    values.version ??
    (JSON.parse(readFileSync(join(values.release, 'package.json'), 'utf8')) as { version: string }).version;
  const manifest = await writeBundle({
    releaseDir: values.release,
    outFile: values.out,
    version,
    minFromVersion: values['min-from'],
    createdAt: new Date().toISOString(),
    privateKey: readPrivateKey(values.key),
  });
  console.log(JSON.stringify(manifest));
} else {
  console.error(
    'usage: make-bundle keygen <dir> | make --key K --release DIR [--version V] --min-from V --out FILE',
  );
  process.exitCode = 2;
}
