// Update bundles on the build machine (docs/updates.md):
//   scripts/run-node --import tsx scripts/make-bundle.ts keygen <dir>
//   scripts/run-node --import tsx scripts/make-bundle.ts make --key <dir>/update-key.pem \
//       --release <folder> --version 1.2.0 --min-from 1.0.0 --out hub-1.2.0.bundle
//   scripts/run-node --import tsx scripts/make-bundle.ts sign-command --key <dir>/update-key.pem \
//       --hub <hubId> --url https://…/hub-1.2.0.bundle --bundle hub-1.2.0.bundle [--valid-hours 24]
//   (prints the signed remote update command to publish on `<prefix>/<hubId>/command`)
// The release folder holds what hubd runs (dist/, package.json, node_modules/, node/).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBundle } from '../src/updater/bundle-writer.fs.js';
import { writeUpdateKeys } from '../src/updater/bundle-writer.fs.js';
import { readPrivateKey } from '../src/updater/updater-deps.fs.js';
import { readBundleHeader } from '../src/updater/bundle-file.fs.js';
import { manifestSchema } from '../src/updater/manifest.js';
import { encodeSignedCommand } from '../src/updater/remote-command.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    key: { type: 'string' },
    release: { type: 'string' },
    version: { type: 'string' },
    'min-from': { type: 'string' },
    out: { type: 'string' },
    hub: { type: 'string' },
    url: { type: 'string' },
    bundle: { type: 'string' },
    id: { type: 'string' },
    'valid-hours': { type: 'string', default: '24' },
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
} else if (command === 'sign-command' && values.key && values.hub && values.url && values.bundle) {
  const header = readBundleHeader(values.bundle);
  if (!header.ok) throw new Error(`${values.bundle}: ${header.reason}`);
  const manifest = manifestSchema.parse(JSON.parse(header.manifestBytes.toString('utf8')));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(values.bundle)) hash.update(chunk as Buffer);
  const issuedAtMs = Date.now();
  const validMs = Number(values['valid-hours']) * 3600_000;
  console.log(
    encodeSignedCommand(
      {
        format: 1,
        type: 'update',
        id: values.id ?? randomUUID(),
        hubId: values.hub,
        issuedAt: new Date(issuedAtMs).toISOString(),
        expiresAt: new Date(issuedAtMs + validMs).toISOString(),
        version: manifest.version,
        url: values.url,
        sha256: hash.digest('hex'),
        bytes: statSync(values.bundle).size,
      },
      readPrivateKey(values.key),
    ),
  );
} else {
  console.error(
    'usage: make-bundle keygen <dir> | make --key K --release DIR [--version V] --min-from V --out FILE\n' +
      '       | sign-command --key K --hub HUB_ID --url URL --bundle FILE [--id ID] [--valid-hours 24]',
  );
  process.exitCode = 2;
}
