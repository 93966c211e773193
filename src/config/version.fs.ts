import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VersionInfo } from '../api/contract.js';

/** This hub's version, from the package.json beside src/ (or dist/) of the running build. */
export function readVersion(): VersionInfo {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { name: 'energy-hub', version: pkg.version, node: process.version };
}
