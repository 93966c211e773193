// What scripts/test-image installs on the guest hub: update bundles made from this checkout as a
// release would be (scripts/build-release, scripts/make-bundle.ts), signed with the image's test
// update key, and the ones that must fail: one whose hubd never gets ready, one signed by another
// key. The keys are the test's own (under the image's output folder), never a release key.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');

export interface TestKeys {
  dir: string;
  privateKey: string;
  publicKey: string;
}

/** The update key pair the test image trusts (made once, kept with the cached image). */
export function testKeys(dir: string): TestKeys {
  const keys = { dir, privateKey: join(dir, 'update-key.pem'), publicKey: join(dir, 'update-key.pub.pem') };
  if (!existsSync(keys.privateKey)) runNode([join(repo, 'scripts/make-bundle.ts'), 'keygen', dir]);
  return keys;
}

export interface TestBundles {
  good: { file: string; version: string };
  broken: { file: string; version: string };
  badSignature: { file: string; version: string };
}

/**
 * Three bundles newer than `fromVersion`: `good` (this checkout), `broken` (its hubd exits at
 * once: a crash loop that never answers /readyz) and `badSignature` (signed by a stranger's key).
 */
export function makeTestBundles(dir: string, keys: TestKeys, fromVersion: string): TestBundles {
  mkdirSync(dir, { recursive: true });
  const release = join(dir, 'release');
  const [major, minor] = fromVersion.split('.').map(Number) as [number, number];
  const version = (bump: number) => `${major}.${minor + bump}.0`;
  const stranger = testKeys(join(dir, 'stranger-key'));
  const make = (key: string, v: string, out: string) => {
    stampVersion(release, v);
    runNode([
      join(repo, 'scripts/make-bundle.ts'),
      ...[
        'make',
        '--key',
        key,
        '--release',
        release,
        '--version',
        v,
        '--min-from',
        fromVersion,
        '--out',
        out,
      ],
    ]);
    return { file: out, version: v };
  };
  execFileSync(join(repo, 'scripts/build-release'), ['--out', release], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const good = make(keys.privateKey, version(1), join(dir, 'good.bundle'));
  const badSignature = make(stranger.privateKey, version(2), join(dir, 'bad-signature.bundle'));
  writeFileSync(
    join(release, 'dist/main.js'),
    "process.stderr.write('a deliberately broken release (scripts/test-image)\\n');\nprocess.exit(1);\n",
  );
  const broken = make(keys.privateKey, version(3), join(dir, 'broken.bundle'));
  rmSync(release, { recursive: true, force: true });
  return { good, broken, badSignature };
}

function stampVersion(release: string, version: string): void {
  const file = join(release, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  writeFileSync(file, `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
  writeFileSync(join(release, '.release.json'), `${JSON.stringify({ version })}\n`);
}

export function runNode(args: string[]): string {
  return execFileSync(join(repo, 'scripts/run-node'), ['--import', 'tsx', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
